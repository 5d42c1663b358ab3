"""``billbridge canary``: its subcommands reach their handlers, and an interval is judged
before any server is dialled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.errors import InvalidInput
from starters.cli.app import build_parser
from starters.cli.canary_commands import interval


def test_the_canary_commands_take_a_connection_and_an_interval() -> None:
    parser = build_parser()

    scheduled = parser.parse_args(["canary", "schedule", "conn-1", "--every", "15m"])
    assert (scheduled.connection, scheduled.every) == ("conn-1", "15m")
    assert parser.parse_args(["canary", "schedule", "conn-1"]).every == "1h"
    for action in ("run", "unschedule"):
        assert parser.parse_args(["canary", action, "conn-1"]).handler is not None


@pytest.mark.parametrize(
    ("text", "every"),
    [("90s", timedelta(seconds=90)), ("1h", timedelta(hours=1)),
     ("2h30m", timedelta(hours=2, minutes=30)), ("1d", timedelta(days=1))],
)  # fmt: skip
def test_an_interval_reads_as_units(text: str, every: timedelta) -> None:
    assert interval(text) == every


@pytest.mark.parametrize("text", ["", "1", "h", "1h junk", "-5m", "1.5h"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        interval(text)
