"""Daily settlement batches: a payment settles with its business day's batch at the cutoff.

HealthPay24 keeps no batch table: a payment's batch follows from when it was made (its
``created_at``, on the sandbox clock) and the nightly cutoff. Before the cutoff it belongs
to that day's batch, at or after it to the next day's; a batch closes at its day's cutoff
and its deposit lands the next day. A payment is settled once its batch has closed: before
that it can only be voided, afterwards only refunded.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sandbox.common.cutoff import Cutoff, sandbox_now

CUTOFF = Cutoff(time(22, 0))  # 5 pm Eastern in winter


@dataclass(frozen=True)
class Batch:
    batch_id: str
    business_day: date
    closes_at: datetime
    deposit_date: date


def batch_for(created_at: str) -> Batch:
    """The batch of a ledger timestamp (ISO 8601, UTC)."""
    day = CUTOFF.business_day(datetime.fromisoformat(created_at))
    return Batch(
        batch_id=f"HPB-{day:%Y%m%d}",
        business_day=day,
        closes_at=CUTOFF.closes_at(day),
        deposit_date=day + timedelta(days=1),
    )


def is_settled(db: sqlite3.Connection, created_at: str) -> bool:
    """Whether money recorded at ``created_at`` has settled (its batch closed) by now."""
    return sandbox_now(db) >= batch_for(created_at).closes_at


def payment_is_settled(db: sqlite3.Connection, confirmation_number: str) -> bool:
    """The same for a payment in the ledger (KeyError: no such payment)."""
    row = db.execute(
        "SELECT created_at FROM payments WHERE confirmation_number = ?", (confirmation_number,)
    ).fetchone()
    if row is None:
        raise KeyError(confirmation_number)
    return is_settled(db, str(row["created_at"]))


def closed_batches(db: sqlite3.Connection) -> list[Batch]:
    """Every batch with a payment or refund in it that has closed, oldest first."""
    now = sandbox_now(db)
    rows = db.execute(
        "SELECT created_at FROM payments UNION ALL "
        "SELECT created_at FROM reversals WHERE kind = 'refund'"
    )
    found = {batch_for(str(row["created_at"])) for row in rows}
    return sorted((b for b in found if b.closes_at <= now), key=lambda b: b.business_day)


def payments_in(db: sqlite3.Connection, batch: Batch) -> list[sqlite3.Row]:
    """The batch's payments, oldest first; a voided payment never settles."""
    return [
        row
        for row in db.execute(
            "SELECT p.*, s.account_number FROM payments p "
            "JOIN statements s ON s.statement_id = p.statement_id "
            "WHERE p.confirmation_number NOT IN "
            "(SELECT confirmation_number FROM reversals WHERE kind = 'void') "
            "ORDER BY p.created_at, p.rowid"
        )
        if batch_for(str(row["created_at"])).batch_id == batch.batch_id
    ]


def refunds_in(db: sqlite3.Connection, batch: Batch) -> list[sqlite3.Row]:
    """The refunds the batch pays out (by when they were made), oldest first, with the
    payment each gives back."""
    return [
        row
        for row in db.execute(
            "SELECT r.refund_number, r.confirmation_number, r.amount_cents, r.note, "
            "r.created_at, p.brand, p.last4, s.account_number FROM reversals r "
            "JOIN payments p ON p.confirmation_number = r.confirmation_number "
            "JOIN statements s ON s.statement_id = p.statement_id "
            "WHERE r.kind = 'refund' ORDER BY r.created_at, r.rowid"
        )
        if batch_for(str(row["created_at"])).batch_id == batch.batch_id
    ]
