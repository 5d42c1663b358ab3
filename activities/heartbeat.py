"""Heartbeats for browser activities.

A browser step can run for many seconds without reaching a point where it could heartbeat,
so a background task does it. A worker that dies stops heartbeating, and Temporal retries
the attempt elsewhere after the heartbeat timeout instead of the much longer start-to-close.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity


@asynccontextmanager
async def heartbeating(interval_seconds: float = 2.0) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(interval_seconds)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
