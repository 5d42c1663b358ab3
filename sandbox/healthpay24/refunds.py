"""Voids and refunds of online payments, with a reason code and a refund note.

A payment can be voided (all of it) only until its settlement batch closes at the nightly
cutoff (``settlement``); after that it can only be refunded, in one or more parts that
together never exceed what was paid. Each reversal gives the statement its balance back.
"""

from __future__ import annotations

import random
import sqlite3
import string

from sandbox.common.cutoff import sandbox_now
from sandbox.common.sqlite import transaction
from sandbox.healthpay24 import settlement

SCHEMA = """
CREATE TABLE IF NOT EXISTS reversals (
    refund_number TEXT PRIMARY KEY,
    confirmation_number TEXT NOT NULL REFERENCES payments(confirmation_number),
    kind TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    reason_code TEXT NOT NULL,
    note TEXT NOT NULL,
    processor_refund_id TEXT NOT NULL,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""
TABLE = "reversals"
VOID = "void"
REFUND = "refund"
# HealthPay24's fixed list of reversal reasons.
REASONS: dict[str, str] = {
    "R01": "Duplicate charge",
    "R02": "Overpayment",
    "R03": "Patient request",
    "R04": "Billing correction",
}
MAX_NOTE_LENGTH = 50


def of_payment(db: sqlite3.Connection, confirmation: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM reversals WHERE confirmation_number = ? ORDER BY created_at, rowid",
        (confirmation,),
    ).fetchall()


def search(
    db: sqlite3.Connection, *, username: str | None = None, note_contains: str | None = None,
    note: str | None = None,
) -> list[sqlite3.Row]:  # fmt: skip
    """Oldest first; ``note``: exact (the admin ledger), ``note_contains``: the search box."""
    clauses, params = [], []
    if username is not None:
        clauses.append("username = ?")
        params.append(username)
    if note is not None:
        clauses.append("note = ?")
        params.append(note)
    if note_contains is not None:
        clauses.append("instr(lower(note), lower(?)) > 0")
        params.append(note_contains)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return db.execute(f"SELECT * FROM reversals {where} ORDER BY created_at, rowid",
                      params).fetchall()  # fmt: skip


def is_voided(db: sqlite3.Connection, confirmation: str) -> bool:
    return any(row["kind"] == VOID for row in of_payment(db, confirmation))


def remaining_cents(db: sqlite3.Connection, payment: sqlite3.Row) -> int:
    """What the patient still has paid: nothing once voided, less every refund."""
    given_back = sum(row["amount_cents"] for row in of_payment(db, payment["confirmation_number"]))
    return int(payment["amount_cents"] - given_back)


def status(db: sqlite3.Connection, payment: sqlite3.Row) -> str:
    if is_voided(db, payment["confirmation_number"]):
        return "Voided"
    left = remaining_cents(db, payment)
    if left <= 0:
        return "Refunded"
    return "Partially refunded" if left < payment["amount_cents"] else "Paid"


def can_void(db: sqlite3.Connection, payment: sqlite3.Row) -> bool:
    return not settlement.is_settled(db, payment["created_at"]) and not of_payment(
        db, payment["confirmation_number"]
    )


def can_refund(db: sqlite3.Connection, payment: sqlite3.Row) -> bool:
    return settlement.is_settled(db, payment["created_at"]) and remaining_cents(db, payment) > 0


def record(
    db: sqlite3.Connection,
    payment: sqlite3.Row,
    *,
    kind: str,
    amount_cents: int,
    reason_code: str,
    note: str,
    processor_refund_id: str,
) -> str:
    with transaction(db):
        number = _next_number(db)
        db.execute(
            "INSERT INTO reversals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, payment["confirmation_number"], kind, amount_cents, reason_code, note,
             processor_refund_id, payment["username"],
             sandbox_now(db).isoformat(timespec="seconds")),
        )  # fmt: skip
        db.execute(
            "UPDATE statements SET balance_cents = balance_cents + ? WHERE statement_id = ?",
            (amount_cents, payment["statement_id"]),
        )
    return number


def _next_number(db: sqlite3.Connection) -> str:
    # Deterministic per database (seed + sequence) so runs are reproducible, yet unique.
    seed = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()[0]
    sequence = db.execute("SELECT COUNT(*) FROM reversals").fetchone()[0]
    rng = random.Random(f"healthpay24-refund:{seed}:{sequence}")
    alphabet = string.ascii_uppercase + string.digits
    while True:
        candidate = "RF24-" + "".join(rng.choice(alphabet) for _ in range(10))
        found = db.execute("SELECT 1 FROM reversals WHERE refund_number = ?", (candidate,))
        if found.fetchone() is None:
            return candidate
