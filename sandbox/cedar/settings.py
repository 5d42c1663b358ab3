"""Command-line settings of one sandbox process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from sandbox.common.maintenance import NightlyWindow

# The nightly window (02:00–02:10), kept only when asked for (sandbox/common/maintenance.py);
# shorter than the idle limit, so a session signed in just before it outlives it.
MAINTENANCE_WINDOW = NightlyWindow(starts=time(2, 0), minutes=10)


@dataclass(frozen=True)
class SandboxSettings:
    db_path: Path
    host: str = "127.0.0.1"
    port: int = 8101
    seed: int = 42
    patients: int = 6
    session_idle_seconds: float = 900.0
    code_seconds: float = 600.0  # how long a texted or emailed code works
    reset: bool = False
    maintenance_window: bool = False  # keep MAINTENANCE_WINDOW (off: tests and demo)
    # The sandbox processor that charges payments; None: decide from the token locally.
    processor_url: str | None = None
