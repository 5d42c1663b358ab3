"""Guarantor accounts, their patients, encounters, statements and wallets: what staff read."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

ACCOUNTS_PAGE_SIZE = 6
STATEMENTS_PAGE_SIZE = 8
ACCOUNT_STATUS_LABELS = {"active": "Active", "on-hold": "On hold", "inactive": "Inactive"}

_ACCOUNT_COLUMNS = """
    g.*, COALESCE((SELECT SUM(s.balance_cents) FROM statements s
                   WHERE s.account_number = g.account_number), 0) AS balance_cents,
    (SELECT p.mrn FROM patients p WHERE p.account_number = g.account_number
     AND p.relationship = 'Self') AS mrn,
    (SELECT GROUP_CONCAT(p.mrn, ', ') FROM patients p
     WHERE p.account_number = g.account_number) AS mrns
"""


@dataclass(frozen=True)
class Page:
    rows: list[sqlite3.Row]
    page: int
    pages: int
    total: int
    first: int  # 1-based index of the first row shown
    last: int


def accounts_page(db: sqlite3.Connection, query: str, page: int) -> Page:
    """Accounts matching the search (name, guarantor number, account number or MRN)."""
    where, params = _account_search(query)
    total = db.execute(f"SELECT COUNT(*) FROM guarantors g {where}", params).fetchone()[0]
    pages, page = _clamp(total, page, ACCOUNTS_PAGE_SIZE)
    rows = db.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM guarantors g {where} ORDER BY g.position LIMIT ? OFFSET ?",
        (*params, ACCOUNTS_PAGE_SIZE, (page - 1) * ACCOUNTS_PAGE_SIZE),
    ).fetchall()
    return _page(rows, page, pages, total, ACCOUNTS_PAGE_SIZE)


def all_accounts(db: sqlite3.Connection) -> list[sqlite3.Row]:
    return db.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM guarantors g ORDER BY g.position").fetchall()


def account(db: sqlite3.Connection, account_number: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT {_ACCOUNT_COLUMNS} FROM guarantors g WHERE g.account_number = ?",
        (account_number,),
    ).fetchone()
    return row


def patients(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM patients WHERE account_number = ? ORDER BY relationship != 'Self', mrn",
        (account_number,),
    ).fetchall()


def encounters(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM encounters WHERE account_number = ? ORDER BY service_date DESC, "
        "encounter_id",
        (account_number,),
    ).fetchall()


def account_statements(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM statements WHERE account_number = ? ORDER BY issued_on DESC, statement_id",
        (account_number,),
    ).fetchall()


def wallet(db: sqlite3.Connection, account_number: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM wallet WHERE account_number = ? ORDER BY position", (account_number,)
    ).fetchall()


def statements_page(db: sqlite3.Connection, page: int) -> Page:
    total = db.execute("SELECT COUNT(*) FROM statements").fetchone()[0]
    pages, page = _clamp(total, page, STATEMENTS_PAGE_SIZE)
    rows = db.execute(
        f"{_STATEMENT_QUERY} ORDER BY g.position, s.issued_on DESC, s.statement_id "
        "LIMIT ? OFFSET ?",
        (STATEMENTS_PAGE_SIZE, (page - 1) * STATEMENTS_PAGE_SIZE),
    ).fetchall()
    return _page(rows, page, pages, total, STATEMENTS_PAGE_SIZE)


def all_statements(db: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every statement, in the order the console's worklist shows them."""
    return db.execute(
        f"{_STATEMENT_QUERY} ORDER BY g.position, s.issued_on DESC, s.statement_id"
    ).fetchall()


def statement(db: sqlite3.Connection, statement_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_STATEMENT_QUERY} WHERE s.statement_id = ?", (statement_id,)
    ).fetchone()
    return row


def line_items(db: sqlite3.Connection, statement_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM line_items WHERE statement_id = ? ORDER BY position", (statement_id,)
    ).fetchall()


def status(row: sqlite3.Row) -> str:
    """The statement status as the console prints it."""
    if row["balance_cents"] <= 0:
        return "Paid"
    return "Partial" if row["balance_cents"] < row["total_cents"] else "Open"


_STATEMENT_QUERY = """
SELECT s.*, g.guarantor_number, g.name AS guarantor_name
FROM statements s JOIN guarantors g ON g.account_number = s.account_number
"""


def _account_search(query: str) -> tuple[str, tuple[str, ...]]:
    wanted = query.strip()
    if not wanted:
        return "", ()
    like = f"%{wanted}%"
    return (
        "WHERE g.name LIKE ? OR g.guarantor_number LIKE ? OR g.account_number LIKE ? OR "
        "EXISTS (SELECT 1 FROM patients p WHERE p.account_number = g.account_number "
        "AND p.mrn LIKE ?)",
        (like, like, like, like),
    )


def _clamp(total: int, page: int, size: int) -> tuple[int, int]:
    pages = max(1, -(-total // size))
    return pages, min(max(page, 1), pages)


def _page(rows: list[sqlite3.Row], page: int, pages: int, total: int, size: int) -> Page:
    first = (page - 1) * size + 1 if rows else 0
    return Page(rows, page, pages, total, first, first + len(rows) - 1 if rows else 0)
