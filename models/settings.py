"""Process configuration, read once at the edge (worker, CLI, demo), never at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BILLBRIDGE_", extra="ignore")

    # Connections and the local secret file live here, outside any repository.
    home: Path = Field(default_factory=lambda: Path.home() / ".billbridge")
    temporal_address: str = Field(default="localhost:7233", validation_alias="TEMPORAL_ADDRESS")
    temporal_namespace: str = Field(default="default", validation_alias="TEMPORAL_NAMESPACE")
    task_queue: str = "billbridge"
    artifacts_dir: Path | None = None
    # The demo's working files: Temporal's SQLite database, the sandbox database, logs.
    data_dir: Path = Path(".data")
    # How long a login waits for a person's MFA code before it fails.
    mfa_timeout_seconds: int = 600
    # History events after which a connection's session workflow continues-as-new.
    session_history_limit: int = Field(default=2_000, ge=20)
    # Browser contexts one worker runs at once (each is a Chromium renderer).
    max_concurrent_activities: int = 8
    # Seconds a worker lets running activities finish after SIGTERM.
    shutdown_grace_seconds: float = 20.0

    @property
    def connections_file(self) -> Path:
        return self.home / "connections.json"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    @property
    def sessions_dir(self) -> Path:
        return self.home / "sessions"

    @property
    def audit_dir(self) -> Path:
        return self.home / "audit"

    @property
    def artifacts_root(self) -> Path:
        return self.artifacts_dir or self.home / "artifacts"
