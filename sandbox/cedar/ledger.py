"""Statements, payment methods on file and the payments ledger: what money moved."""

from __future__ import annotations

import random
import sqlite3
import string
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.common.sqlite import transaction

STATEMENTS_PAGE_SIZE = 3


@dataclass(frozen=True)
class StatementsPage:
    rows: list[sqlite3.Row]
    page: int
    pages: int


def statements_page(db: sqlite3.Connection, username: str, page: int) -> StatementsPage:
    count = db.execute(
        "SELECT COUNT(*) FROM statements WHERE username = ?", (username,)
    ).fetchone()[0]
    pages = max(1, -(-count // STATEMENTS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.execute(
        "SELECT * FROM statements WHERE username = ? "
        "ORDER BY statement_date DESC, statement_id LIMIT ? OFFSET ?",
        (username, STATEMENTS_PAGE_SIZE, (page - 1) * STATEMENTS_PAGE_SIZE),
    ).fetchall()
    return StatementsPage(rows, page, pages)


def statement(
    db: sqlite3.Connection, statement_id: str, username: str | None
) -> sqlite3.Row | None:
    """The statement, or None if it does not exist or belongs to someone else."""
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM statements WHERE statement_id = ?", (statement_id,)
    ).fetchone()
    if row is None or (username is not None and row["username"] != username):
        return None
    return row


def line_items(db: sqlite3.Connection, statement_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM line_items WHERE statement_id = ? ORDER BY position", (statement_id,)
    ).fetchall()


def cards(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM cards WHERE username = ? ORDER BY position, token", (username,)
    ).fetchall()


def status(row: sqlite3.Row) -> str:
    if row["balance_cents"] <= 0:
        return "Paid"
    return "Partially paid" if row["balance_cents"] < row["total_cents"] else "Open"


def record_payment(
    db: sqlite3.Connection,
    *,
    statement_id: str,
    username: str,
    amount_cents: int,
    reference: str,
    card_token: str,
    charge_id: str,
) -> str:
    """Record a charge that succeeded: insert the payment and lower the balance together."""
    with transaction(db):
        confirmation = _next_confirmation(db)
        db.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (confirmation, statement_id, username, amount_cents, reference, card_token,
             datetime.now(UTC).isoformat(timespec="seconds"), charge_id),
        )  # fmt: skip
        db.execute(
            "UPDATE statements SET balance_cents = balance_cents - ? WHERE statement_id = ?",
            (amount_cents, statement_id),
        )
    return confirmation


_PAYMENT_COLUMNS = (
    "SELECT p.*, c.brand, c.last4, c.kind FROM payments p JOIN cards c ON c.token = p.card_token"
)


def confirmation_for_charge(db: sqlite3.Connection, charge_id: str) -> str | None:
    """The payment already recorded for this charge (the same form submitted twice)."""
    row = db.execute(
        "SELECT confirmation_number FROM payments WHERE charge_id = ?", (charge_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def accounts(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    """One row per account number of this patient: its balance is its statements' balances."""
    return db.execute(
        "SELECT account_number, SUM(balance_cents) AS balance_cents, COUNT(*) AS statements "
        "FROM statements WHERE username = ? GROUP BY account_number ORDER BY account_number",
        (username,),
    ).fetchall()


def payment(db: sqlite3.Connection, confirmation: str, username: str | None) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_PAYMENT_COLUMNS} WHERE p.confirmation_number = ?",
        (confirmation,),
    ).fetchone()
    if row is None or (username is not None and row["username"] != username):
        return None
    return row


def balance_after(db: sqlite3.Connection, confirmation: str) -> int:
    """The statement's balance right after this payment: today's balance with every later
    payment on it added back (payments are all that lower a balance), so a confirmation
    opened again later still shows what this payment left."""
    row = db.execute(
        "SELECT s.balance_cents + COALESCE((SELECT SUM(later.amount_cents) FROM payments later "
        "WHERE later.statement_id = p.statement_id AND later.rowid > p.rowid), 0) "
        "FROM payments p JOIN statements s ON s.statement_id = p.statement_id "
        "WHERE p.confirmation_number = ?",
        (confirmation,),
    ).fetchone()
    return int(row[0])


def payments(
    db: sqlite3.Connection, *, username: str | None = None, reference: str | None = None
) -> list[sqlite3.Row]:
    clauses, params = [], []
    if username is not None:
        clauses.append("p.username = ?")
        params.append(username)
    if reference is not None:
        clauses.append("p.reference = ?")
        params.append(reference)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return db.execute(
        f"{_PAYMENT_COLUMNS} {where} ORDER BY p.created_at, p.rowid",
        params,
    ).fetchall()


def _next_confirmation(db: sqlite3.Connection) -> str:
    # Deterministic per database (seed + sequence) so runs are reproducible, yet unique.
    seed = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()[0]
    sequence = db.execute("SELECT COUNT(*) FROM payments").fetchone()[0]
    rng = random.Random(f"cedar-confirmation:{seed}:{sequence}")
    alphabet = string.ascii_uppercase + string.digits
    while True:
        candidate = "CDR-" + "".join(rng.choice(alphabet) for _ in range(8))
        taken = db.execute(
            "SELECT 1 FROM payments WHERE confirmation_number = ?", (candidate,)
        ).fetchone()
        if taken is None:
            return candidate
