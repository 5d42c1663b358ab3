"""Command-line settings of one processor process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessorSettings:
    db_path: Path
    host: str = "127.0.0.1"
    port: int = 8100
    seed: int = 42
    # How long a hosted-fields checkout session accepts a payment method, as real processors'
    # checkout sessions expire.
    checkout_session_seconds: float = 1800.0
