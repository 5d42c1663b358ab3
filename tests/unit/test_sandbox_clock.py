"""The sandbox's movable clock: an offset in the portal's database, cleared by a reset."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from sandbox.cedar import db as cedar_db
from sandbox.common import clock, outbox


def test_the_clock_starts_at_wall_time_and_only_moves_forward(tmp_path: Path) -> None:
    db = cedar_db.connect(tmp_path / "cedar.sqlite3")
    assert clock.offset(db) == 0.0
    assert abs(clock.now(db) - time.time()) < 5

    clock.advance(db, 60)
    reading = clock.advance(db, 1.5)
    assert reading.offset_seconds == 61.5
    assert clock.now(db) - time.time() == pytest.approx(61.5, abs=5)
    with pytest.raises(ValidationError):
        clock.ClockAdvance(advance_seconds=-1)


def test_a_reset_sets_the_clock_back(tmp_path: Path) -> None:
    db = cedar_db.connect(tmp_path / "cedar.sqlite3")
    clock.advance(db, 3600)
    cedar_db.reseed(db, seed=42, patients=1)
    assert clock.offset(db) == 0.0


def test_codes_are_stamped_on_the_sandbox_clock(tmp_path: Path) -> None:
    db = cedar_db.connect(tmp_path / "cedar.sqlite3")
    clock.advance(db, 3600)
    expires_at = outbox.deliver(
        db, username="u", channel=outbox.SMS, destination="555-0112",
        masked_destination="***-***-0112", code="123456", valid_seconds=60,
    )  # fmt: skip
    assert expires_at - time.time() == pytest.approx(3660, abs=5)
