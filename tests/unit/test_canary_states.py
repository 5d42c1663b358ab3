"""The canary's kept verdicts: a drift is news once, a retried report of the same run is
still news (its event must still be raised), a healthy run clears it."""

from __future__ import annotations

from pathlib import Path

from models.canary import CanaryOutcome
from stores.canary_states import CanaryStates


def _note(states: CanaryStates, drifted: bool, run_id: str) -> bool:
    return states.note(CanaryOutcome(connection_id="conn-1", drifted=drifted, run_id=run_id)).report


def test_a_drift_is_news_once_per_healthy_spell(tmp_path: Path) -> None:
    states = CanaryStates(tmp_path)

    assert _note(states, True, "run-1")
    assert _note(states, True, "run-1")  # the same run's activity retried
    assert not _note(states, True, "run-2")
    assert not _note(states, False, "run-3")
    assert not states.drifted("conn-1")
    assert _note(states, True, "run-4")
    assert CanaryStates(tmp_path).drifted("conn-1")  # kept on disk, not in memory
    assert (tmp_path / "canary-states.json").stat().st_mode & 0o777 == 0o600
