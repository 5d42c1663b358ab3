"""Heartbeats for browser activities.

A browser step can run for many seconds without reaching a point where it could heartbeat,
so a background task does it. A worker that dies stops heartbeating, and Temporal retries
the attempt elsewhere after the heartbeat timeout instead of the much longer start-to-close.

An activity of several steps marks the step it reached (``Heartbeat.mark``): every later beat
carries that mark, so the next attempt reads it from ``activity.info().heartbeat_details``
and resumes there instead of starting over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from temporalio import activity


class Heartbeat:
    def __init__(self) -> None:
        self._details: tuple[Any, ...] = ()

    def mark(self, *details: Any) -> None:
        """Record how far this attempt got; sent now and with every later beat."""
        self._details = details
        activity.heartbeat(*details)

    def beat(self) -> None:
        # A beat without the mark would replace it: Temporal keeps the last details only.
        activity.heartbeat(*self._details)


@asynccontextmanager
async def heartbeating(interval_seconds: float = 2.0) -> AsyncIterator[Heartbeat]:
    heartbeat = Heartbeat()

    async def beat() -> None:
        while True:
            heartbeat.beat()
            await asyncio.sleep(interval_seconds)

    task = asyncio.create_task(beat())
    try:
        yield heartbeat
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
