"""Each connection's last canary verdict: healthy, or drifted since a given workflow run.

The canary reports a drift once, when the portal goes from healthy to drifted, not on every
scheduled run while it stays changed; a healthy run clears it, so the next drift is news
again. One small JSON file beside the event log, locked across processes like it, holds
only connection ids, a flag and a run id.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

from pydantic import BaseModel

from models.canary import CanaryOutcome, DriftNotice
from stores.private_files import exclusive_lock, write_private


class _Drifted(BaseModel):
    run_id: str  # the run that first saw this drift and reported it


class CanaryStates:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    @property
    def path(self) -> Path:
        return self._directory / "canary-states.json"

    def note(self, outcome: CanaryOutcome) -> DriftNotice:
        """Keep the verdict; whether it is a drift nobody has been told of yet."""
        with self._locked():
            drifted = self._read()
            known = drifted.get(outcome.connection_id)
            if not outcome.drifted:
                drifted.pop(outcome.connection_id, None)
                self._write(drifted)
                return DriftNotice(report=False)
            if known is not None:
                # The same run asking again (a retried activity) must still raise its event.
                return DriftNotice(report=known.run_id == outcome.run_id)
            drifted[outcome.connection_id] = _Drifted(run_id=outcome.run_id)
            self._write(drifted)
            return DriftNotice(report=True)

    def drifted(self, connection_id: str) -> bool:
        with self._locked():
            return connection_id in self._read()

    def _read(self) -> dict[str, _Drifted]:
        if not self.path.exists():
            return {}
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        return {connection: _Drifted.model_validate(state) for connection, state in raw.items()}

    def _write(self, drifted: dict[str, _Drifted]) -> None:
        content = json.dumps({c: s.model_dump() for c, s in drifted.items()})
        write_private(self.path, content.encode())

    def _locked(self) -> AbstractContextManager[None]:
        return exclusive_lock(self._directory / "canary-states.lock")
