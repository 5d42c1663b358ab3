"""Recorded histories replay against today's workflow code: non-determinism fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from security.codec import encrypted_data_converter
from tests.replay.recording import HISTORIES, REPLAY_KEYRING
from workers.registry import WORKFLOWS

RECORDED = sorted(HISTORIES.glob("*.json"))


def test_every_workflow_has_recorded_histories() -> None:
    recorded_types = {path.name.split("--")[0] for path in RECORDED}
    assert {workflow.__name__ for workflow in WORKFLOWS} <= recorded_types


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_replays_deterministically(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    # Recorded histories are encrypted like any other: the replay decrypts them.
    converter = encrypted_data_converter(REPLAY_KEYRING)
    replayer = Replayer(workflows=WORKFLOWS, data_converter=converter)
    await replayer.replay_workflow(history)
