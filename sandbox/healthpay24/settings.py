"""Command-line settings of one HealthPay24 sandbox process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path

from sandbox.common.maintenance import NightlyWindow

# The nightly window (01:15–01:25), kept only when asked for (sandbox/common/maintenance.py);
# shorter than the idle limit, so a session signed in just before it outlives it.
MAINTENANCE_WINDOW = NightlyWindow(starts=time(1, 15), minutes=10)


@dataclass(frozen=True)
class SandboxSettings:
    db_path: Path
    processor_url: str
    host: str = "127.0.0.1"
    port: int = 8103
    seed: int = 42
    patients: int = 6
    session_idle_seconds: float = 900.0
    code_seconds: float = 600.0  # how long a texted code works
    reset: bool = False
    maintenance_window: bool = False  # keep MAINTENANCE_WINDOW (off: tests and demo)
    sftp_port: int = 0  # the settlement files' SFTP server; 0: a free port
