"""Process configuration, read once at the edge (worker, CLI, demo), never at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
    # Activities one worker runs at once; browser activities beyond max_browser_contexts
    # wait (heartbeating) for a context.
    max_concurrent_activities: int = 8
    # Browser contexts open at once in one worker, in use or idle (each is a Chromium
    # renderer, tens of MB); a context is reused by the next activity on the same connection
    # and sealed state up to browser_context_uses times, and closed after
    # browser_context_idle_seconds unused.
    max_browser_contexts: int = Field(default=4, ge=1)
    browser_context_uses: int = Field(default=20, ge=1)
    browser_context_idle_seconds: float = Field(default=30.0, gt=0)
    # An idle context keeps one page (and its renderer) for its next use: about half the
    # Chromium CPU of a warm payment, for a renderer's memory per idle context (bench/RESULTS.md).
    browser_keep_page: bool = True
    # One blank context and its page made ready while the worker is quiet, for the next
    # sign-in: about 0.19 s off a cold payment, for one renderer's memory (bench/RESULTS.md).
    browser_spare_context: bool = True
    # NODE_OPTIONS of the Playwright driver (Node.js) the worker spawns; empty leaves them as
    # the worker's environment has them. A 1 MB young generation keeps the driver at ~130 MB
    # where V8's default (growing to 16 MB semi-spaces) added 30-60 MB over the first hundred
    # payments, never given back, and cost no CPU more (bench/RESULTS.md).
    browser_driver_node_options: str = "--max-semi-space-size=1"
    # Temporal's default; 0 turns sticky workflow queues off (the time-skipping test server
    # hands a killed worker's sticky tasks on to nobody).
    max_cached_workflows: int = 1000
    # Seconds a worker lets running activities finish after SIGTERM.
    shutdown_grace_seconds: float = 20.0
    # The local secret file's key (base64 of 32 bytes), where a platform injects it (from a
    # KMS); without it the key is a 0600 file beside the secrets (master_key_file).
    master_key: SecretStr | None = None
    # AWS: credentials come from boto3's usual chain (env, profile, role), never from here.
    # The endpoint is for AWS-compatible servers (the tests' moto, LocalStack).
    aws_region: str | None = None
    aws_endpoint_url: str | None = None
    # "aws-sm:<name>" secret references resolve only when this is on.
    aws_secrets_manager: bool = False
    # Artifacts go to this bucket (server-side encrypted) instead of the local folder.
    artifacts_s3_bucket: str | None = None
    # SSE-KMS with this key; without it S3-managed keys (SSE-S3, AES256).
    artifacts_s3_kms_key_id: str | None = None
    # Where expiring links to local artifacts are served (the codec server's address).
    receipt_links_base_url: str = "http://127.0.0.1:8081"
    # Keys a platform injects instead of the secret file: the browser-state key (base64 of
    # 32 bytes) and the payload keyring as JSON ({"active": id, "keys": {id: base64}}).
    session_key: SecretStr | None = None
    codec_keys: SecretStr | None = None
    # The Chromium/Chrome executable to drive; unset (or empty) picks a system Chromium.
    browser: str | None = None
    # Who the audit trail names for the CLI's and the client's requests; else the OS user.
    operator: str | None = None
    # The Temporal UI of the server TEMPORAL_ADDRESS names, for the demo's workflow link.
    ui_url: str | None = None
    # What `connections add` and `connections repair` store, for scripts; else a prompt.
    portal_password: SecretStr | None = None
    portal_totp_secret: SecretStr | None = None
    # The HTTP API's read model: a SQLAlchemy URL (postgresql+psycopg://…); unset is a
    # SQLite file under the home. Secret because a URL may carry the database password.
    database_url: SecretStr | None = None
    # Where `billbridge api` listens, and how long its health check waits for Temporal.
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8090, ge=0, le=65535)
    api_health_timeout_seconds: float = Field(default=2.0, gt=0)
    # Webhook deliveries back off exponentially from the first interval to the longest,
    # for three days (tests shorten the intervals); each attempt waits this long for an
    # answer.
    webhook_retry_initial_seconds: float = Field(default=5.0, gt=0)
    webhook_retry_max_seconds: float = Field(default=3600.0, gt=0)
    webhook_timeout_seconds: float = Field(default=15.0, gt=0)
    # Each API connection's read model is synced on a Schedule this often (and after every
    # write); a sync waits this long for a signed-in session before it gives up.
    sync_interval_seconds: int = Field(default=3600, ge=10)
    sync_session_wait_seconds: int = Field(default=300, ge=1, le=86_400)
    # How long ``?refresh=true`` waits for the sync before answering with the data held.
    api_refresh_timeout_seconds: float = Field(default=60.0, gt=0)
    # How long a money-moving POST waits for another request with its Idempotency-Key to be
    # accepted before it answers 409 idempotency_in_progress.
    api_idempotency_wait_seconds: float = Field(default=5.0, ge=0, le=60)

    @property
    def temporal_address_given(self) -> bool:
        """True when TEMPORAL_ADDRESS (or the caller) named the server, not the default."""
        return "temporal_address" in self.model_fields_set

    @property
    def connections_file(self) -> Path:
        return self.home / "connections.json"

    @property
    def secrets_file(self) -> Path:
        return self.home / "secrets.json"

    @property
    def master_key_file(self) -> Path:
        return self.home / "master.key"

    @property
    def sessions_dir(self) -> Path:
        return self.home / "sessions"

    @property
    def audit_dir(self) -> Path:
        return self.home / "audit"

    @property
    def events_dir(self) -> Path:
        return self.home / "events"

    @property
    def read_model_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.home / 'read_model.db'}"

    @property
    def artifacts_root(self) -> Path:
        return self.artifacts_dir or self.home / "artifacts"
