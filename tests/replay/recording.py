"""Recording workflow histories for the replay tests.

Run the e2e tests with ``BILLBRIDGE_RECORD_HISTORIES=1`` to (re)write the files in
``tests/replay/histories/``; commit them whenever a workflow changes on purpose.

Histories are encrypted like every history. The e2e tests' BillBridge home uses the
test-only keyring in ``keyring.json`` so that recorded histories can be replayed here;
it protects nothing real.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle

from stores.keyring import Keyring

HISTORIES = Path(__file__).parent / "histories"
REPLAY_KEYRING = Keyring.model_validate_json((Path(__file__).parent / "keyring.json").read_text())


async def record_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    if os.environ.get("BILLBRIDGE_RECORD_HISTORIES") != "1":
        return
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())
