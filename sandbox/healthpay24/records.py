"""Reading the patient's records: accounts, encounters, statements, wallet and estimates.

Every reader that takes a ``username`` returns only what that login may see (None or an empty
list otherwise); the admin API passes None to see everything.
"""

from __future__ import annotations

import sqlite3
from typing import Any

BALANCE_DUE = "Balance due"
PARTIALLY_PAID = "Partially paid"
PAID_IN_FULL = "Paid in full"
ESTIMATE_STATUS_LABELS = {"active": "Active", "deposit-paid": "Deposit paid", "expired": "Expired"}

_ACCOUNT_BALANCE = (
    "SELECT a.*, l.holder_id, l.full_name AS guarantor_name, l.birth_date AS guarantor_birth_date, "
    "COALESCE((SELECT SUM(s.balance_cents) FROM statements s "
    "WHERE s.account_number = a.account_number), 0) AS balance_cents "
    "FROM accounts a JOIN logins l ON l.username = a.username"
)


def statement_status(row: sqlite3.Row | dict[str, Any]) -> str:
    if row["balance_cents"] <= 0:
        return PAID_IN_FULL
    return PARTIALLY_PAID if row["balance_cents"] < row["total_cents"] else BALANCE_DUE


def accounts(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    """The login's accounts in the order the portal lists them (the holder's own first)."""
    return db.execute(
        f"{_ACCOUNT_BALANCE} WHERE a.username = ? ORDER BY a.rowid", (username,)
    ).fetchall()


def account(db: sqlite3.Connection, account_number: str, username: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_ACCOUNT_BALANCE} WHERE a.account_number = ? AND a.username = ?",
        (account_number, username),
    ).fetchone()
    return row


def encounters(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM encounters WHERE account_number = ? ORDER BY visit_date DESC, encounter_id",
        (account_number,),
    ).fetchall()


def account_statements(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM statements WHERE account_number = ? "
        "ORDER BY statement_date DESC, statement_id",
        (account_number,),
    ).fetchall()


def login_statements(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    """Every statement of the login, account by account as the portal shows them."""
    return [
        statement
        for row in accounts(db, username)
        for statement in account_statements(db, row["account_number"])
    ]


def statement(
    db: sqlite3.Connection, statement_id: str, username: str | None
) -> sqlite3.Row | None:
    """The statement with its account's holder and visit; None if absent or someone else's."""
    row: sqlite3.Row | None = db.execute(
        "SELECT s.*, a.username, a.patient_name, e.visit_date, e.facility, e.department "
        "FROM statements s JOIN accounts a ON a.account_number = s.account_number "
        "JOIN encounters e ON e.encounter_id = s.encounter_id WHERE s.statement_id = ?",
        (statement_id,),
    ).fetchone()
    if row is None or (username is not None and row["username"] != username):
        return None
    return row


def charges(db: sqlite3.Connection, statement_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM charges WHERE statement_id = ? ORDER BY position", (statement_id,)
    ).fetchall()


def wallet(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    """The login's payment methods on file, in the order the patient saved them."""
    return db.execute(
        "SELECT * FROM wallet WHERE username = ? ORDER BY position", (username,)
    ).fetchall()


def method_label(brand: str, last4: str, kind: str) -> str:
    """``Visa ending in 4242``; bank accounts as ``Checking account ending in 6789``."""
    return f"{brand} account ending in {last4}" if kind == "ach" else f"{brand} ending in {last4}"


def estimates(db: sqlite3.Connection, username: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM estimates WHERE username = ? ORDER BY service_date DESC, estimate_id",
        (username,),
    ).fetchall()


def estimate_lines(db: sqlite3.Connection, estimate_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM estimate_lines WHERE estimate_id = ? ORDER BY position", (estimate_id,)
    ).fetchall()
