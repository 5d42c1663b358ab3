"""The sandbox's movable clock: wall time plus an offset the admin API moves forward.

Code lifetimes, idle limits and remembered devices are measured on this clock, so a test
makes a code or a session expire by moving the clock past its limit instead of sleeping
through it on a busy machine. The offset is a row in the portal's own database (the
``sandbox_clock`` table of ``SCHEMA``, which each portal's schema holds) because every
function that asks the time already holds that connection; a reset deletes it.

Patientco's and HealthPay24's ledger timestamps are on it too, since their settlement
batches close at a nightly cutoff on this clock (``sandbox/common/cutoff.py``). Not on this
clock: TOTP codes (the authenticator app lives outside the sandbox, on wall time).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

from pydantic import BaseModel, Field

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds REAL NOT NULL
);
"""
TABLE = "sandbox_clock"


class ClockAdvance(BaseModel):
    # Forward only: codes and sessions stamped on the moved clock must never lie ahead of it.
    advance_seconds: float = Field(gt=0, le=10 * 365 * 24 * 3600)


class ClockReading(BaseModel):
    now: datetime
    offset_seconds: float


def offset(db: sqlite3.Connection) -> float:
    row = db.execute("SELECT offset_seconds FROM sandbox_clock WHERE id = 1").fetchone()
    return float(row[0]) if row is not None else 0.0


def now(db: sqlite3.Connection) -> float:
    """Epoch seconds on the sandbox's clock."""
    return time.time() + offset(db)


def advance(db: sqlite3.Connection, seconds: float) -> ClockReading:
    db.execute(
        "INSERT INTO sandbox_clock (id, offset_seconds) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET offset_seconds = offset_seconds + excluded.offset_seconds",
        (seconds,),
    )
    return reading(db)


def reading(db: sqlite3.Connection) -> ClockReading:
    moved = offset(db)
    return ClockReading(now=datetime.fromtimestamp(time.time() + moved, UTC), offset_seconds=moved)
