"""Command-line settings of one sandbox process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
    # The sandbox processor that charges payments; None: decide from the token locally.
    processor_url: str | None = None
