"""Command-line settings of one Patientco sandbox process (portal and identity provider)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from sandbox.common.maintenance import NightlyWindow

# The nightly window (03:30–03:42), kept only when asked for (sandbox/common/maintenance.py);
# shorter than the idle limit, so a session signed in just before it outlives it.
MAINTENANCE_WINDOW = NightlyWindow(starts=time(3, 30), minutes=12)


@dataclass(frozen=True)
class SandboxSettings:
    db_path: Path
    host: str = "127.0.0.1"
    port: int = 8102
    seed: int = 42
    guarantors: int = 8
    processor_url: str = "http://127.0.0.1:8100"
    idp_port: int = 0  # 0: any free port
    session_idle_seconds: float = 900.0
    code_seconds: float = 600.0  # how long an emailed code works
    reset: bool = False
    maintenance_window: bool = False  # keep MAINTENANCE_WINDOW (off: tests and demo)

    @property
    def portal_url(self) -> str:
        return f"http://{self.host}:{self.port}"
