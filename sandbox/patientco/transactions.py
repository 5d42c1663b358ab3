"""Posted payments, voids and refunds: the ground truth of what money moved, and in which batch.

A payment names the statement it was posted against, or none when staff posted it against
the account; either way its amount is allocated to statements (oldest first for an account
payment), so a void or refund can give each statement its balance back.
"""

from __future__ import annotations

import random
import sqlite3
import string
from dataclasses import dataclass
from datetime import date

from sandbox.common.cutoff import sandbox_now
from sandbox.common.sqlite import transaction
from sandbox.patientco import settlement

REFUND_REASONS: dict[str, str] = {
    "DUP": "Duplicate payment",
    "OVP": "Overpayment",
    "PTR": "Patient request",
    "BIL": "Billing error",
}
# The refund and void forms' free-text memo (where BillBridge writes its reference).
MAX_MEMO_LENGTH = 40


@dataclass(frozen=True)
class NewPayment:
    account_number: str
    statement_id: str | None
    staff_username: str
    amount_cents: int
    reference: str
    token: str
    method_kind: str
    brand: str
    last4: str
    charge_id: str
    submission_id: str


def now_iso(db: sqlite3.Connection) -> str:
    # On the sandbox clock, so a moved clock puts the payment into a later business day.
    return sandbox_now(db).isoformat(timespec="seconds")


def record_payment(db: sqlite3.Connection, payment: NewPayment) -> str:
    """Post the payment into the open batch and lower the balances, in one transaction."""
    with transaction(db):
        transaction_id = _next_id(db, "PCO", "payments")
        batch_id = settlement.open_batch(db)
        db.execute(
            "INSERT INTO payments (transaction_id, account_number, statement_id, staff_username, "
            "amount_cents, reference, token, method_kind, brand, last4, charge_id, created_at, "
            "batch_id, submission_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (transaction_id, payment.account_number, payment.statement_id,
             payment.staff_username, payment.amount_cents, payment.reference, payment.token,
             payment.method_kind, payment.brand, payment.last4, payment.charge_id, now_iso(db),
             batch_id, payment.submission_id),
        )  # fmt: skip
        for statement_id, cents in _allocation(db, payment):
            db.execute(
                "INSERT INTO allocations VALUES (?, ?, ?)", (transaction_id, statement_id, cents)
            )
            db.execute(
                "UPDATE statements SET balance_cents = balance_cents - ? WHERE statement_id = ?",
                (cents, statement_id),
            )
    return transaction_id


def by_submission(db: sqlite3.Connection, submission_id: str) -> str | None:
    """The payment an earlier copy of the same form submission posted, if any."""
    row = db.execute(
        "SELECT transaction_id FROM payments WHERE submission_id = ?", (submission_id,)
    ).fetchone()
    return None if row is None else str(row["transaction_id"])


def payment(db: sqlite3.Connection, transaction_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_PAYMENT_QUERY} WHERE p.transaction_id = ?", (transaction_id,)
    ).fetchone()
    return row


def payments(db: sqlite3.Connection, reference: str | None = None) -> list[sqlite3.Row]:
    """Every payment (voided ones included), oldest first; exact reference match if given."""
    where, params = ("WHERE p.reference = ?", (reference,)) if reference is not None else ("", ())
    return db.execute(f"{_PAYMENT_QUERY} {where} ORDER BY p.created_at, p.rowid", params).fetchall()


def search(db: sqlite3.Connection, reference: str) -> list[dict[str, object]]:
    """Payments, voids and refunds whose reference or memo contains the text, newest first."""
    like = f"%{reference.strip()}%"
    found = [
        {**dict(row), "type": "Payment", "status_label": status_label(row), "memo": ""}
        for row in db.execute(f"{_PAYMENT_QUERY} WHERE p.reference LIKE ?", (like,))
    ]
    for row in db.execute(
        "SELECT r.*, p.account_number, p.statement_id, p.reference, p.brand, p.last4, "
        "p.method_kind, g.guarantor_number FROM refunds r "
        "JOIN payments p ON p.transaction_id = r.transaction_id "
        "JOIN guarantors g ON g.account_number = p.account_number "
        "WHERE p.reference LIKE ? OR r.memo LIKE ?",
        (like, like),
    ):
        found.append({
            **dict(row), "type": "Refund", "transaction_id": row["refund_id"],
            "payment_id": row["transaction_id"],
            "amount_cents": -row["amount_cents"], "status_label": "Refunded",
        })  # fmt: skip
    for row in db.execute(
        "SELECT v.*, p.account_number, p.statement_id, p.reference, p.brand, p.last4, "
        "p.method_kind, p.amount_cents FROM voids v "
        "JOIN payments p ON p.transaction_id = v.transaction_id "
        "WHERE p.reference LIKE ? OR v.memo LIKE ?",
        (like, like),
    ):
        found.append({
            **dict(row), "type": "Void", "payment_id": row["transaction_id"],
            "amount_cents": -row["amount_cents"], "status_label": "Voided",
        })  # fmt: skip
    found.sort(key=lambda item: (str(item["created_at"]), str(item["transaction_id"])),
               reverse=True)  # fmt: skip
    return found


def void_of(db: sqlite3.Connection, transaction_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM voids WHERE transaction_id = ?", (transaction_id,)
    ).fetchone()
    return row


def reversals(db: sqlite3.Connection, memo: str | None = None) -> list[dict[str, object]]:
    """Every void and refund (the admin ledger's ground truth), oldest first; exact memo
    match if given."""
    where, params = ("WHERE memo = ?", (memo,)) if memo is not None else ("", ())
    found: list[dict[str, object]] = [
        {"kind": "refund", "refund_id": row["refund_id"], "transaction_id": row["transaction_id"],
         "amount_cents": row["amount_cents"], "reason_code": row["reason_code"],
         "memo": row["memo"], "created_at": row["created_at"], "batch_id": row["batch_id"]}
        for row in db.execute(f"SELECT * FROM refunds {where} ORDER BY created_at, rowid", params)
    ]  # fmt: skip
    for row in db.execute(
        f"SELECT v.*, p.amount_cents FROM voids v JOIN payments p "
        f"ON p.transaction_id = v.transaction_id {where.replace('memo', 'v.memo')} "
        "ORDER BY v.created_at, v.rowid",
        params,
    ):
        found.append({
            "kind": "void", "refund_id": row["transaction_id"],
            "transaction_id": row["transaction_id"], "amount_cents": row["amount_cents"],
            "reason_code": row["reason_code"], "memo": row["memo"],
            "created_at": row["created_at"], "batch_id": None,
        })  # fmt: skip
    found.sort(key=lambda item: str(item["created_at"]))
    return found


def net_paid_cents(row: sqlite3.Row) -> int:
    """What the guarantor still has paid: nothing once voided, less every refund."""
    if row["status"] == "voided":
        return 0
    return int(row["amount_cents"] - row["refunded_cents"])


def refunds_of(db: sqlite3.Connection, transaction_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM refunds WHERE transaction_id = ? ORDER BY created_at, rowid",
        (transaction_id,),
    ).fetchall()


def status_label(row: sqlite3.Row) -> str:
    if row["status"] == "voided":
        return "Voided"
    if row["refunded_cents"] >= row["amount_cents"]:
        return "Refunded"
    return "Partially refunded" if row["refunded_cents"] else "Posted"


def voidable(db: sqlite3.Connection, row: sqlite3.Row, today: date) -> bool:
    """Same day, still in the open batch, nothing refunded."""
    return (
        row["status"] == "posted"
        and row["refunded_cents"] == 0
        and row["created_at"][:10] == today.isoformat()
        and settlement.is_open(db, row["batch_id"])
    )


def refundable_cents(db: sqlite3.Connection, row: sqlite3.Row) -> int:
    """What may still be refunded: only a settled payment, up to what is left of it."""
    if row["status"] != "posted" or settlement.is_open(db, row["batch_id"]):
        return 0
    return int(row["amount_cents"] - row["refunded_cents"])


def void(
    db: sqlite3.Connection,
    transaction_id: str,
    *,
    reason_code: str = "PTR",
    memo: str = "",
    staff_username: str = "",
) -> None:
    with transaction(db):
        db.execute("UPDATE payments SET status = 'voided' WHERE transaction_id = ?",
                   (transaction_id,))  # fmt: skip
        db.execute(
            "INSERT INTO voids VALUES (?, ?, ?, ?, ?)",
            (transaction_id, reason_code, memo, staff_username, now_iso(db)),
        )
        _give_back(db, transaction_id, None)


def refund(
    db: sqlite3.Connection,
    transaction_id: str,
    *,
    amount_cents: int,
    reason_code: str,
    processor_refund_id: str,
    staff_username: str,
    memo: str = "",
) -> str:
    with transaction(db):
        refund_id = _next_id(db, "PCR", "refunds")
        db.execute(
            "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (refund_id, transaction_id, amount_cents, reason_code, processor_refund_id,
             staff_username, now_iso(db), settlement.open_batch(db), memo),
        )  # fmt: skip
        db.execute(
            "UPDATE payments SET refunded_cents = refunded_cents + ? WHERE transaction_id = ?",
            (amount_cents, transaction_id),
        )
        _give_back(db, transaction_id, amount_cents)
    return refund_id


def _allocation(db: sqlite3.Connection, payment: NewPayment) -> list[tuple[str, int]]:
    if payment.statement_id is not None:
        return [(payment.statement_id, payment.amount_cents)]
    left, found = payment.amount_cents, []
    for row in db.execute(
        "SELECT statement_id, balance_cents FROM statements WHERE account_number = ? "
        "AND balance_cents > 0 ORDER BY issued_on, statement_id",
        (payment.account_number,),
    ):
        cents = min(left, row["balance_cents"])
        if cents > 0:
            found.append((row["statement_id"], cents))
            left -= cents
    return found


def _give_back(db: sqlite3.Connection, transaction_id: str, amount_cents: int | None) -> None:
    """Raise the statements' balances again: all of it (void) or this much (refund), newest
    allocation first."""
    rows = db.execute(
        "SELECT rowid, statement_id, amount_cents FROM allocations WHERE transaction_id = ? "
        "ORDER BY rowid DESC",
        (transaction_id,),
    ).fetchall()
    left = sum(row["amount_cents"] for row in rows) if amount_cents is None else amount_cents
    for row in rows:
        cents = min(left, row["amount_cents"])
        if cents <= 0:
            break
        db.execute(
            "UPDATE statements SET balance_cents = balance_cents + ? WHERE statement_id = ?",
            (cents, row["statement_id"]),
        )
        db.execute("UPDATE allocations SET amount_cents = amount_cents - ? WHERE rowid = ?",
                   (cents, row["rowid"]))  # fmt: skip
        left -= cents


def _next_id(db: sqlite3.Connection, prefix: str, table: str) -> str:
    # Deterministic per database (seed + sequence) so runs are reproducible, yet unique.
    seed = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()[0]
    sequence = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    rng = random.Random(f"patientco-{prefix}:{seed}:{sequence}")
    alphabet = string.ascii_uppercase + string.digits
    column = "transaction_id" if table == "payments" else "refund_id"
    while True:
        candidate = f"{prefix}-" + "".join(rng.choice(alphabet) for _ in range(10))
        if db.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (candidate,)).fetchone() is None:
            return candidate


_PAYMENT_QUERY = """
SELECT p.*, g.guarantor_number, g.name AS guarantor_name
FROM payments p JOIN guarantors g ON g.account_number = p.account_number
"""
