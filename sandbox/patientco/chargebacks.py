"""Chargebacks: the cardholder's bank takes a settled payment back.

A chargeback is a record against the payment on Patientco's side: it lands in the batch open
when it is recorded (as money out, like a refund) and shows in that batch's export with the
payment's reference. The admin API records one, standing in for the card network.
"""

from __future__ import annotations

import sqlite3

from sandbox.common.cutoff import sandbox_now
from sandbox.common.sqlite import transaction
from sandbox.patientco import settlement

SCHEMA = """
CREATE TABLE IF NOT EXISTS chargebacks (
    chargeback_id TEXT PRIMARY KEY,
    transaction_id TEXT NOT NULL REFERENCES payments(transaction_id),
    amount_cents INTEGER NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL,
    batch_id TEXT NOT NULL REFERENCES batches(batch_id)
);
"""
TABLE = "chargebacks"


def record(
    db: sqlite3.Connection, transaction_id: str, amount_cents: int | None, reason: str
) -> str:
    """KeyError: no such payment; ValueError: more than the payment's amount."""
    with transaction(db):
        row = db.execute(
            "SELECT amount_cents FROM payments WHERE transaction_id = ?", (transaction_id,)
        ).fetchone()
        if row is None:
            raise KeyError(transaction_id)
        cents = row["amount_cents"] if amount_cents is None else amount_cents
        if not 0 < cents <= row["amount_cents"]:
            raise ValueError(f"a chargeback of {cents} cents on a {row['amount_cents']} payment")
        sequence = db.execute("SELECT COUNT(*) FROM chargebacks").fetchone()[0]
        chargeback_id = f"PCB-{transaction_id.removeprefix('PCO-')}-{sequence + 1}"
        db.execute(
            "INSERT INTO chargebacks VALUES (?, ?, ?, ?, ?, ?)",
            (chargeback_id, transaction_id, cents, reason,
             sandbox_now(db).isoformat(timespec="seconds"), settlement.open_batch(db)),
        )  # fmt: skip
    return chargeback_id
