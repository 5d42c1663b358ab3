"""What the API's requests share, opened once by the app's lifespan and closed with it."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from temporalio.client import Client

from models.api_keys import ApiKeyPublic
from models.connection_session import SessionView
from models.settings import Settings
from starters.client.sessions_client import SessionsClient
from stores.artifacts import ArtifactStore
from stores.read_model.api_keys import ApiKeys
from stores.read_model.idempotency_keys import IdempotencyKeys
from stores.read_model.migrate import current_revision, head_revision
from stores.read_model.posted_payments import PostedPayments
from stores.read_model.synced_reads import SyncedReads
from stores.read_model.tenant_connections import TenantConnections
from workers.temporal_client import connect
from workers.temporal_unreachable import TemporalUnreachable

if TYPE_CHECKING:
    from starters.api.sync_link import SyncLink

_log = logging.getLogger("billbridge.api")


class WorkerUnavailable(Exception):
    """Temporal is up, but no worker answered a workflow query within the bound."""


@dataclass
class TemporalLink:
    """The Temporal client, connected on first need and kept; a server that is down at
    start-up is reported by the health check, not fatal to the API."""

    settings: Settings
    _client: Client | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def client(self) -> Client:
        async with self._lock:
            if self._client is None:
                self._client = await connect(self.settings)
            return self._client

    async def session_view(self, connection_id: str, caller: ApiKeyPublic) -> SessionView | None:
        """The connection's session state; None while it has no session workflow yet.
        Bounded: a Temporal that does not answer in time is TemporalUnreachable (503)."""
        bound = self.settings.api_health_timeout_seconds
        try:
            async with asyncio.timeout(bound):
                client = await self.client()
        except TimeoutError:
            raise TemporalUnreachable(self.settings) from None
        try:
            async with asyncio.timeout(bound):
                return await SessionsClient(client, caller.actor()).state_if_started(connection_id)
        except TimeoutError:
            # Temporal answered, but no worker answered the workflow's query in time.
            raise WorkerUnavailable(
                "no worker answered the connection's session query in time; is a "
                "`billbridge worker` running on this task queue?"
            ) from None

    async def reachable(self, within_seconds: float) -> bool:
        try:
            async with asyncio.timeout(within_seconds):
                client = await self.client()
                return await client.service_client.check_health()
        except Exception as err:  # any failure is "not reachable"; the log says which
            _log.warning(
                "Temporal health check failed at %s: %s",
                self.settings.temporal_address, type(err).__name__,
            )  # fmt: skip
            return False


@dataclass
class ApiServices:
    settings: Settings
    engine: Engine
    api_keys: ApiKeys
    connections: TenantConnections
    temporal: TemporalLink
    idempotency: IdempotencyKeys
    payments: PostedPayments
    # Receipts: read through their expiring links, which the API signs and serves itself.
    artifacts: ArtifactStore
    receipt_link_key: bytes
    reads: SyncedReads
    sync: SyncLink

    def database_ready(self) -> bool:
        """True when the database answers and carries the newest migration."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return current_revision(self.engine) == head_revision()
        except Exception as err:
            _log.warning("database health check failed: %s", type(err).__name__)
            return False
