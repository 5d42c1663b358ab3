"""The event activity: workflows raise events (a failed draft, a chargeback), once per id."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.sync_starts import ReadModelRefresh
from models.events import Event
from stores.events import EventLog


class EventActivities:
    def __init__(self, log: EventLog, refresh: ReadModelRefresh | None = None) -> None:
        self._log = log
        self._refresh = refresh

    @activity.defn
    async def raise_event(self, event: Event) -> bool:
        # The lock may wait on another worker's append: off the event loop.
        written = await asyncio.to_thread(self._log.append, event)
        if not written:
            activity.logger.info("event %s was already raised", event.type.value)
        await self._refresh_read_model_after(event)
        return written

    async def _refresh_read_model_after(self, event: Event) -> None:
        """A write outcome changed what the portal shows: sync the connection again.

        Also on a retry or an event already logged: starting joins a running sync, and
        one sync too many is harmless, one too few leaves the read model stale.
        """
        if self._refresh is not None and await self._refresh.after(event):
            activity.logger.info("read-model sync started after %s", event.type.value)
