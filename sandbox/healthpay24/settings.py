"""Command-line settings of one HealthPay24 sandbox process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
    sftp_port: int = 0  # the settlement files' SFTP server; 0: a free port
