"""The nightly settlement cutoff: which business day a moment belongs to, and when it closes.

A payment made before the cutoff belongs to that calendar day's batch; one made at or after
it belongs to the next day's. A day's batch closes at that day's cutoff. Everything is read
on the sandbox clock (UTC), never on wall time, so a test settles a batch by moving the
clock past the cutoff instead of waiting for the night.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sandbox.common import clock

# A reseed moves the clock past a cutoff this close, so a test that starts from the seed
# never has a batch close under it unless it moves the clock itself.
CLEARANCE_SECONDS = 4 * 3600.0


@dataclass(frozen=True)
class Cutoff:
    at: time  # UTC time of day

    def business_day(self, moment: datetime) -> date:
        day = moment.astimezone(UTC).date()
        return day + timedelta(days=1) if moment >= self.closes_at(day) else day

    def closes_at(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=UTC)

    def next_after(self, moment: datetime) -> datetime:
        """The first cutoff strictly after ``moment``: when its batch closes."""
        return self.closes_at(self.business_day(moment))

    def has_closed(self, day: date, now: datetime) -> bool:
        return now >= self.closes_at(day)


def sandbox_now(db: sqlite3.Connection) -> datetime:
    return datetime.fromtimestamp(clock.now(db), UTC)


def keep_clear_of(db: sqlite3.Connection, cutoff: Cutoff) -> None:
    """Move the clock just past the next cutoff when it is under ``CLEARANCE_SECONDS`` away
    (forward only, as the admin API moves it)."""
    now = sandbox_now(db)
    ahead = (cutoff.next_after(now) - now).total_seconds()
    if ahead < CLEARANCE_SECONDS:
        clock.advance(db, ahead + 1)
