"""The event activity: workflows raise events (a failed draft, a chargeback), once per id."""

from __future__ import annotations

import asyncio

from temporalio import activity

from models.events import Event
from stores.events import EventLog


class EventActivities:
    def __init__(self, log: EventLog) -> None:
        self._log = log

    @activity.defn
    async def raise_event(self, event: Event) -> bool:
        # The lock may wait on another worker's append: off the event loop.
        written = await asyncio.to_thread(self._log.append, event)
        if not written:
            activity.logger.info("event %s was already raised", event.type.value)
        return written
