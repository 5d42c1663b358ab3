"""Deposits on estimates: collected before the visit, held for the estimate's encounter, and
applied to that encounter's statement once the hospital bills it.

The hospital bills an encounter ``BILLING_LAG_DAYS`` after its service date on the portal's
calendar (``portal_calendar``); the portal then issues the encounter's statement from the
estimate's procedures and applies the deposit to it in the same transaction, so a deposit
is either held or applied, never both or neither. Billing happens when anything reads the
deposits (a page or the admin API): what a patient sees is always up to date with the clock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox.common.sqlite import transaction
from sandbox.healthpay24 import portal_calendar
from sandbox.healthpay24.charges import DUE_DAYS

BILLING_LAG_DAYS = 2
HELD = "Held for your upcoming visit"
APPLIED = "Applied to your bill"
_DEPARTMENT = "Outpatient Surgery"
_FIRST_STATEMENT = 800000  # above the seed's statement numbers (they start at 300000)


@dataclass(frozen=True)
class CollectedDeposit:
    form_id: str
    estimate_id: str
    username: str
    amount_cents: int
    note: str
    token: str
    brand: str
    last4: str
    kind: str
    charge_id: str


def billing_date(service_date: str) -> date:
    return date.fromisoformat(service_date) + timedelta(days=BILLING_LAG_DAYS)


def record(db: sqlite3.Connection, deposit: CollectedDeposit) -> str:
    """The deposit and the estimate's new status in one transaction; a form already
    submitted answers its first deposit, never a second."""
    with transaction(db):
        done = db.execute(
            "SELECT deposit_id FROM deposits WHERE form_id = ?", (deposit.form_id,)
        ).fetchone()
        if done is not None:
            return str(done[0])
        sequence = db.execute("SELECT COUNT(*) FROM deposits").fetchone()[0]
        deposit_id = f"DEP-{5001 + sequence}"
        db.execute(
            "INSERT INTO deposits (deposit_id, estimate_id, username, form_id, amount_cents, "
            "note, card_token, brand, last4, kind, charge_id, collected_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (deposit_id, deposit.estimate_id, deposit.username, deposit.form_id,
             deposit.amount_cents, deposit.note, deposit.token, deposit.brand, deposit.last4,
             deposit.kind, deposit.charge_id, portal_calendar.today(db).isoformat()),
        )  # fmt: skip
        db.execute(
            "UPDATE estimates SET status = 'deposit-paid' WHERE estimate_id = ?",
            (deposit.estimate_id,),
        )
    return deposit_id


def bill_due_encounters(db: sqlite3.Connection) -> int:
    """Bill every encounter with a held deposit whose billing date has come: its statement,
    and the deposit applied to it. How many were billed."""
    today = portal_calendar.today(db)
    held = db.execute(
        "SELECT d.*, e.account_number, e.service_date, e.facility, e.encounter_id "
        "FROM deposits d JOIN estimates e ON e.estimate_id = d.estimate_id "
        "WHERE d.statement_id IS NULL ORDER BY d.rowid"
    ).fetchall()
    billed = 0
    for deposit in held:
        if billing_date(deposit["service_date"]) <= today:
            _bill(db, deposit, today)
            billed += 1
    return billed


def _bill(db: sqlite3.Connection, deposit: sqlite3.Row, today: date) -> None:
    lines = db.execute(
        "SELECT * FROM estimate_lines WHERE estimate_id = ? ORDER BY position",
        (deposit["estimate_id"],),
    ).fetchall()
    total = sum(line["patient_cents"] for line in lines)
    applied = min(deposit["amount_cents"], total)
    with transaction(db):
        sequence = db.execute("SELECT COUNT(*) FROM deposits WHERE statement_id IS NOT NULL")
        statement_id = f"INV-{_FIRST_STATEMENT + sequence.fetchone()[0] + 1}"
        db.execute(
            "INSERT OR IGNORE INTO encounters VALUES (?, ?, ?, ?, ?)",
            (deposit["encounter_id"], deposit["account_number"], deposit["service_date"],
             deposit["facility"], _DEPARTMENT),
        )  # fmt: skip
        db.execute(
            "INSERT INTO statements VALUES (?, ?, ?, ?, ?, ?, ?)",
            (statement_id, deposit["account_number"], deposit["encounter_id"],
             today.isoformat(), (today + timedelta(days=DUE_DAYS)).isoformat(), total,
             total - applied),
        )  # fmt: skip
        for position, line in enumerate(lines):
            db.execute(
                "INSERT INTO charges VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (statement_id, position, deposit["service_date"], line["code"],
                 line["code_system"], line["description"], line["expected_charge_cents"],
                 line["patient_cents"]),
            )  # fmt: skip
        db.execute(
            "UPDATE deposits SET statement_id = ?, applied_cents = ?, applied_on = ? "
            "WHERE deposit_id = ?",
            (statement_id, applied, today.isoformat(), deposit["deposit_id"]),
        )


_DEPOSITS = (
    "SELECT d.*, e.service_date, e.account_number, e.encounter_id, e.facility "
    "FROM deposits d JOIN estimates e ON e.estimate_id = d.estimate_id"
)


def deposit(db: sqlite3.Connection, deposit_id: str, username: str | None) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_DEPOSITS} WHERE d.deposit_id = ?", (deposit_id,)
    ).fetchone()
    if row is None or (username is not None and row["username"] != username):
        return None
    return row


def deposits(
    db: sqlite3.Connection,
    *,
    username: str | None = None,
    reference: str | None = None,
    note_contains: str | None = None,
) -> list[sqlite3.Row]:
    """Oldest first; ``reference`` an exact note (admin), ``note_contains`` the search box."""
    clauses, params = [], []
    if username is not None:
        clauses.append("d.username = ?")
        params.append(username)
    if reference is not None:
        clauses.append("d.note = ?")
        params.append(reference)
    if note_contains is not None:
        clauses.append("instr(lower(d.note), lower(?)) > 0")
        params.append(note_contains)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return db.execute(f"{_DEPOSITS} {where} ORDER BY d.rowid", params).fetchall()


def status(row: sqlite3.Row) -> str:
    return APPLIED if row["statement_id"] else HELD
