"""Command-line settings of one Patientco sandbox process (portal and identity provider)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    @property
    def portal_url(self) -> str:
        return f"http://{self.host}:{self.port}"
