"""The event activity: workflows raise events (a failed draft, a chargeback), once per id."""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.sync_starts import ReadModelRefresh
from activities.webhook_fanout import WebhookFanOut
from models.events import Event
from stores.events import EventLog


class EventActivities:
    def __init__(
        self,
        log: EventLog,
        webhooks: WebhookFanOut | None = None,
        refresh: ReadModelRefresh | None = None,
    ) -> None:
        self._log = log
        self._webhooks = webhooks
        self._refresh = refresh

    @activity.defn
    async def raise_event(self, event: Event) -> bool:
        # The lock may wait on another worker's append: off the event loop.
        written = await asyncio.to_thread(self._log.append, event)
        if not written:
            activity.logger.info("event %s was already raised", event.type.value)
        # Also when the log had it already: the attempt that wrote it may have failed
        # before its webhooks or its sync were started, and starting them is idempotent.
        await self._start_webhook_deliveries(event)
        await self._refresh_read_model_after(event)
        return written

    async def _start_webhook_deliveries(self, event: Event) -> None:
        if self._webhooks is None:
            return
        started = await self._webhooks.deliver(event, activity.info().task_queue)
        if started:
            activity.logger.info("event %s: %d webhook deliveries", event.type.value, started)

    async def _refresh_read_model_after(self, event: Event) -> None:
        """A write outcome changed what the portal shows: sync the connection again.

        One sync too many is harmless (starting joins a running sync), one too few leaves
        the read model stale.
        """
        if self._refresh is not None and await self._refresh.after(event):
            activity.logger.info("read-model sync started after %s", event.type.value)
