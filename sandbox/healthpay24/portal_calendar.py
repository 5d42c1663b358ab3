"""The portal's business day: the seed's anchor date on the day of the reset, then one day
per 24 hours of the sandbox clock.

The seed is dated from a fixed anchor (statements before it, planned procedures after it),
so the portal's calendar starts there rather than at today's wall date: an estimate's
planned service date is then still ahead, and a test reaches it by moving the clock.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from sandbox.common import clock
from sandbox.healthpay24.charges import ANCHOR_DATE

DAY_SECONDS = 24 * 3600


def start(db: sqlite3.Connection) -> None:
    """Day one of the calendar is now (called by the reseed, inside its transaction)."""
    db.execute("INSERT INTO meta VALUES ('calendar_start', ?)", (repr(clock.now(db)),))


def today(db: sqlite3.Connection) -> date:
    row = db.execute("SELECT value FROM meta WHERE key = 'calendar_start'").fetchone()
    started = float(row[0]) if row is not None else clock.now(db)
    return ANCHOR_DATE + timedelta(days=int((clock.now(db) - started) // DAY_SECONDS))
