"""Checkouts in progress and the payments ledger: the ground truth of what money moved.

A checkout is one patient's walk through the three steps (amount and note, payment method,
review) for one statement, kept server-side so each step can be reloaded. A payment is
recorded only after the processor approved the charge, and at most once per checkout.
"""

from __future__ import annotations

import random
import secrets
import sqlite3
import string
import time
from dataclasses import dataclass

from sandbox.common.cutoff import sandbox_now
from sandbox.common.sqlite import transaction


@dataclass(frozen=True)
class ApprovedCharge:
    charge_id: str
    token: str
    brand: str
    last4: str
    kind: str  # "card" | "ach"


def open_checkout(db: sqlite3.Connection, username: str, statement_id: str) -> str:
    checkout_id = f"chk_{secrets.token_hex(8)}"
    db.execute(
        "INSERT INTO checkouts (checkout_id, username, statement_id, created_at) "
        "VALUES (?, ?, ?, ?)",
        (checkout_id, username, statement_id, time.time()),
    )
    return checkout_id


def checkout(db: sqlite3.Connection, checkout_id: str, username: str) -> sqlite3.Row | None:
    """The checkout with its statement's balance; None if unknown or someone else's."""
    row: sqlite3.Row | None = db.execute(
        "SELECT c.*, s.balance_cents, s.account_number FROM checkouts c "
        "JOIN statements s ON s.statement_id = c.statement_id "
        "WHERE c.checkout_id = ? AND c.username = ?",
        (checkout_id, username),
    ).fetchone()
    return row


def set_amount(db: sqlite3.Connection, checkout_id: str, amount_cents: int, note: str) -> None:
    db.execute(
        "UPDATE checkouts SET amount_cents = ?, note = ? WHERE checkout_id = ?",
        (amount_cents, note, checkout_id),
    )


def set_method(db: sqlite3.Connection, checkout_id: str, token: str | None) -> None:
    db.execute("UPDATE checkouts SET token = ? WHERE checkout_id = ?", (token, checkout_id))


def record_payment(db: sqlite3.Connection, checkout: sqlite3.Row, charge: ApprovedCharge) -> str:
    """Move the money: the payment, the lower balance and the checkout's confirmation, in one
    transaction. A checkout already paid answers its first confirmation, never a second."""
    with transaction(db):
        done = db.execute(
            "SELECT confirmation_number FROM checkouts WHERE checkout_id = ?",
            (checkout["checkout_id"],),
        ).fetchone()[0]
        if done is not None:
            return str(done)
        confirmation = _next_confirmation(db)
        db.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (confirmation, checkout["statement_id"], checkout["username"],
             checkout["amount_cents"], checkout["note"], charge.token, charge.brand, charge.last4,
             charge.kind, charge.charge_id, checkout["checkout_id"],
             sandbox_now(db).isoformat(timespec="seconds")),
        )  # fmt: skip
        db.execute(
            "UPDATE statements SET balance_cents = balance_cents - ? WHERE statement_id = ?",
            (checkout["amount_cents"], checkout["statement_id"]),
        )
        # The statement's balance right after this payment, as its receipt shows it later.
        db.execute(
            "UPDATE checkouts SET confirmation_number = ?, balance_after_cents = "
            "(SELECT balance_cents FROM statements WHERE statement_id = ?) "
            "WHERE checkout_id = ?",
            (confirmation, checkout["statement_id"], checkout["checkout_id"]),
        )
    return confirmation


def balance_after(db: sqlite3.Connection, confirmation: str) -> int | None:
    """The statement's balance right after a checkout's payment; None for a payment no checkout
    made (an autopay draft)."""
    row = db.execute(
        "SELECT c.balance_after_cents FROM checkouts c "
        "JOIN payments p ON p.checkout_id = c.checkout_id WHERE p.confirmation_number = ?",
        (confirmation,),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


_PAYMENTS = (
    "SELECT p.*, s.account_number FROM payments p "
    "JOIN statements s ON s.statement_id = p.statement_id"
)


def payment(db: sqlite3.Connection, confirmation: str, username: str | None) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"{_PAYMENTS} WHERE p.confirmation_number = ?", (confirmation,)
    ).fetchone()
    if row is None or (username is not None and row["username"] != username):
        return None
    return row


def payments(
    db: sqlite3.Connection,
    *,
    username: str | None = None,
    reference: str | None = None,
    note_contains: str | None = None,
) -> list[sqlite3.Row]:
    """Oldest first. ``reference``: exact note (the admin ledger); ``note_contains``: what the
    patient's search box does, a case-insensitive substring."""
    clauses, params = [], []
    if username is not None:
        clauses.append("p.username = ?")
        params.append(username)
    if reference is not None:
        clauses.append("p.reference = ?")
        params.append(reference)
    if note_contains is not None:
        clauses.append("instr(lower(p.reference), lower(?)) > 0")
        params.append(note_contains)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return db.execute(f"{_PAYMENTS} {where} ORDER BY p.created_at, p.rowid", params).fetchall()


def _next_confirmation(db: sqlite3.Connection) -> str:
    # Deterministic per database (seed + sequence) so runs are reproducible, yet unique.
    seed = db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()[0]
    sequence = db.execute("SELECT COUNT(*) FROM payments").fetchone()[0]
    rng = random.Random(f"healthpay24-confirmation:{seed}:{sequence}")
    alphabet = string.ascii_uppercase + string.digits
    while True:
        candidate = "HP24-" + "".join(rng.choice(alphabet) for _ in range(10))
        if (
            db.execute(
                "SELECT 1 FROM payments WHERE confirmation_number = ?", (candidate,)
            ).fetchone()
            is None
        ):
            return candidate
