"""The API's side of syncing: each connection's Schedule, and ``?refresh=true``.

A Schedule is made when ``POST /connections`` stores a connection. Temporal being down
then does not fail the creation: the connection is remembered as pending and the API
tries again every ``_CATCH_UP_EVERY``; on every start it also makes sure every connection
in the read model has its Schedule (making one that exists is a no-op), so a connection
whose Schedule was lost with a crashed API process gets it when the API next starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.client import WorkflowFailureError

from activities.sync_starts import ensure_sync_schedule, start_sync
from models.read_api import RefreshOutcome
from models.settings import Settings
from starters.api.services import TemporalLink
from stores.read_model.tenant_connections import TenantConnections

_log = logging.getLogger("billbridge.api")
_CATCH_UP_EVERY = 60.0


@dataclass
class SyncLink:
    settings: Settings
    temporal: TemporalLink
    connections: TenantConnections
    pending: set[str] = field(default_factory=set)

    async def ensure_schedule(self, connection_id: str) -> bool:
        """True when the Schedule exists now; False when Temporal did not answer in time
        (the connection stays pending and is caught up later)."""
        settings = self.settings
        try:
            async with asyncio.timeout(settings.api_health_timeout_seconds):
                client = await self.temporal.client()
                await ensure_sync_schedule(
                    client, settings.task_queue, connection_id,
                    interval=timedelta(seconds=settings.sync_interval_seconds),
                    session_wait_seconds=settings.sync_session_wait_seconds,
                )  # fmt: skip
        except Exception as err:  # any failure: retried by the catch-up, never the caller's
            self.pending.add(connection_id)
            _log.warning(
                "sync schedule for %s not made yet (%s); retried in the background",
                connection_id, type(err).__name__,
            )  # fmt: skip
            return False
        self.pending.discard(connection_id)
        return True

    async def keep_schedules(self) -> None:
        """Runs beside the API: every connection's Schedule on start, then pending ones."""
        self.pending.update(await asyncio.to_thread(self.connections.all_ids))
        while True:
            for connection_id in sorted(self.pending):
                await self.ensure_schedule(connection_id)
            await asyncio.sleep(_CATCH_UP_EVERY)

    async def refresh(self, connection_ids: Sequence[str]) -> RefreshOutcome:
        """Start (or join) each connection's sync and wait for all, bounded."""
        if not connection_ids:
            return RefreshOutcome.COMPLETED
        settings = self.settings
        try:
            async with asyncio.timeout(settings.api_health_timeout_seconds):
                client = await self.temporal.client()
                handles = [
                    await start_sync(
                        client, settings.task_queue, connection_id,
                        session_wait_seconds=settings.sync_session_wait_seconds,
                    )
                    for connection_id in connection_ids
                ]  # fmt: skip
        except Exception as err:
            _log.warning("refresh: no sync started (%s)", type(err).__name__)
            return RefreshOutcome.UNAVAILABLE
        try:
            async with asyncio.timeout(settings.api_refresh_timeout_seconds):
                outcomes = await asyncio.gather(
                    *(handle.result() for handle in handles), return_exceptions=True
                )
        except TimeoutError:
            return RefreshOutcome.TIMED_OUT
        for outcome in outcomes:
            if isinstance(outcome, WorkflowFailureError):
                return RefreshOutcome.FAILED
            if isinstance(outcome, BaseException):
                _log.warning("refresh: waiting for a sync failed (%s)", type(outcome).__name__)
                return RefreshOutcome.UNAVAILABLE
        return RefreshOutcome.COMPLETED
