"""The event log writes each event id once, across retries and processes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from models.events import Event, EventType
from stores.events import EventLog


def _event(event_id: str, type: EventType = EventType.PLAN_INSTALLMENT_FAILED) -> Event:
    return Event(
        id=event_id,
        type=type,
        occurred_at=datetime(2026, 12, 2, tzinfo=UTC),
        workflow_id="plan-1",
        connection_id="c1",
        data={"installment": 3, "amount_cents": 2500},
    )


def test_an_event_is_written_once_per_id(tmp_path: Path) -> None:
    log = EventLog(tmp_path)

    assert log.append(_event("evt/a/1")) is True
    assert log.append(_event("evt/a/1")) is False  # a retried activity
    assert log.append(_event("evt/a/2", EventType.PLAN_DELINQUENT)) is True

    assert [event.id for event in log.events()] == ["evt/a/1", "evt/a/2"]
    assert [event.id for event in log.events(EventType.PLAN_DELINQUENT)] == ["evt/a/2"]
    assert (log.path.stat().st_mode & 0o777) == 0o600


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    log = EventLog(tmp_path)
    log.append(_event("evt/a/1"))
    with log.path.open("a") as handle:
        handle.write('{"id": "evt/a/2", "ty')  # the worker died mid-append

    assert [event.id for event in log.events()] == ["evt/a/1"]
    log.append(_event("evt/a/3"))
    assert [event.id for event in log.events()] == ["evt/a/1", "evt/a/3"]
