"""Daily settlement batches: payments and refunds collect in the open batch until it closes.

A batch closes when the processor settles it (here: the admin API's ``settlements/close``,
standing in for the nightly cut-off); its deposit lands the next day. Voided payments never
settle, so they are left out of a batch's transactions and totals.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.patientco.formatting import plain_amount, us_date

OPEN = "open"
SETTLED = "settled"


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    status: str
    period_start: str  # ISO dates
    period_end: str
    deposit_date: str | None
    payment_count: int
    payments_cents: int
    refund_count: int
    refunds_cents: int  # negative

    @property
    def net_cents(self) -> int:
        return self.payments_cents + self.refunds_cents


def open_batch(db: sqlite3.Connection) -> str:
    """The batch collecting today's transactions, opened if none is (inside the caller's
    transaction)."""
    row = db.execute("SELECT batch_id FROM batches WHERE status = ?", (OPEN,)).fetchone()
    if row is not None:
        return str(row["batch_id"])
    today = datetime.now(UTC).date()
    sequence = db.execute(
        "SELECT COUNT(*) FROM batches WHERE batch_id LIKE ?", (f"STL-{today:%Y%m%d}-%",)
    ).fetchone()[0]
    batch_id = f"STL-{today:%Y%m%d}-{sequence + 1:02d}"
    db.execute(
        "INSERT INTO batches (batch_id, status, opened_at) VALUES (?, ?, ?)",
        (batch_id, OPEN, datetime.now(UTC).isoformat(timespec="seconds")),
    )
    return batch_id


def is_open(db: sqlite3.Connection, batch_id: str) -> bool:
    row = db.execute("SELECT status FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
    return row is not None and row["status"] == OPEN


def close_open_batch(db: sqlite3.Connection) -> str | None:
    """Settle the open batch (deposit tomorrow); None if no batch is open."""
    row = db.execute("SELECT batch_id FROM batches WHERE status = ?", (OPEN,)).fetchone()
    if row is None:
        return None
    closed = datetime.now(UTC)
    db.execute(
        "UPDATE batches SET status = ?, closed_at = ?, deposit_date = ? WHERE batch_id = ?",
        (SETTLED, closed.isoformat(timespec="seconds"),
         (closed.date() + timedelta(days=1)).isoformat(), row["batch_id"]),
    )  # fmt: skip
    return str(row["batch_id"])


def transactions(db: sqlite3.Connection, batch_id: str) -> list[dict[str, Any]]:
    """The batch's settled money, oldest first: payments positive, refunds negative."""
    rows = [
        {**dict(row), "type": "Payment"}
        for row in db.execute(
            "SELECT p.transaction_id, p.created_at, p.account_number, g.guarantor_number, "
            "p.statement_id, p.brand, p.last4, p.method_kind, p.reference, p.amount_cents "
            "FROM payments p JOIN guarantors g ON g.account_number = p.account_number "
            "WHERE p.batch_id = ? AND p.status != 'voided'",
            (batch_id,),
        )
    ]
    rows += [
        {**dict(row), "type": "Refund", "amount_cents": -row["amount_cents"]}
        for row in db.execute(
            "SELECT r.refund_id AS transaction_id, r.created_at, p.account_number, "
            "g.guarantor_number, p.statement_id, p.brand, p.last4, p.method_kind, p.reference, "
            "r.amount_cents FROM refunds r JOIN payments p ON p.transaction_id = r.transaction_id "
            "JOIN guarantors g ON g.account_number = p.account_number WHERE r.batch_id = ?",
            (batch_id,),
        )
    ]
    rows.sort(key=lambda row: (row["created_at"], row["transaction_id"]))
    return rows


def batches(db: sqlite3.Connection) -> list[BatchSummary]:
    """Every batch, newest first."""
    found = []
    for row in db.execute("SELECT * FROM batches ORDER BY opened_at DESC, batch_id DESC"):
        moves = transactions(db, row["batch_id"])
        payments = [m["amount_cents"] for m in moves if m["type"] == "Payment"]
        refunds = [m["amount_cents"] for m in moves if m["type"] == "Refund"]
        days = [row["opened_at"][:10], *(m["created_at"][:10] for m in moves)]
        end = row["closed_at"][:10] if row["closed_at"] else max(days)
        found.append(
            BatchSummary(row["batch_id"], row["status"], row["opened_at"][:10], end,
                         row["deposit_date"], len(payments), sum(payments), len(refunds),
                         sum(refunds))
        )  # fmt: skip
    return found


def batch(db: sqlite3.Connection, batch_id: str) -> BatchSummary | None:
    return next((found for found in batches(db) if found.batch_id == batch_id), None)


def export_filename(batch_id: str) -> str:
    return f"patientco-settlement-{batch_id}.csv"


def export_csv(db: sqlite3.Connection, summary: BatchSummary) -> str:
    """The batch report staff download: a header block, one row per transaction, totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Patientco settlement batch report"])
    writer.writerow(["Batch ID", summary.batch_id])
    writer.writerow(["Status", summary.status.capitalize()])
    writer.writerow(["Period start", us_date(summary.period_start)])
    writer.writerow(["Period end", us_date(summary.period_end)])
    writer.writerow(["Deposit date", us_date(summary.deposit_date)])
    writer.writerow([])
    writer.writerow(["Transaction ID", "Type", "Date", "Account", "Guarantor #", "Statement",
                     "Method", "Last 4", "Reference", "Amount (USD)"])  # fmt: skip
    for move in transactions(db, summary.batch_id):
        method = "ACH" if move["method_kind"] == "ach" else move["brand"]
        writer.writerow([move["transaction_id"], move["type"], us_date(move["created_at"]),
                         move["account_number"], move["guarantor_number"],
                         move["statement_id"] or "", method, move["last4"], move["reference"],
                         plain_amount(move["amount_cents"])])  # fmt: skip
    writer.writerow([])
    writer.writerow(["Total payments", summary.payment_count, plain_amount(summary.payments_cents)])
    writer.writerow(["Total refunds", summary.refund_count, plain_amount(summary.refunds_cents)])
    writer.writerow(["Net deposit", "", plain_amount(summary.net_cents)])
    return out.getvalue()


def today() -> date:
    return datetime.now(UTC).date()
