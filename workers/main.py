"""The worker process: the composition root that opens Chromium and stores once.

Run with ``billbridge worker`` (or ``python -m workers``). SIGTERM/SIGINT start a graceful
shutdown: no new tasks are taken, running activities get ``shutdown_grace_seconds`` to
finish, then the browser is closed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from temporalio.worker import Worker

from activities.artifacts import LocalArtifactStore
from activities.browser import BrowserPool
from activities.connections import ConnectionRegistry
from activities.payments import PaymentActivities
from activities.portal_sessions import PortalSessions
from activities.secrets import LocalSecretFile
from models.settings import Settings
from workers.registry import WORKFLOWS, activity_methods
from workers.temporal_client import connect

logger = logging.getLogger("billbridge.worker")


async def run_worker(settings: Settings, *, ready: asyncio.Event | None = None) -> None:
    client = await connect(settings)
    browsers = BrowserPool()
    await browsers.start()
    artifacts = LocalArtifactStore(settings.artifacts_root)
    sessions = PortalSessions(
        browsers,
        ConnectionRegistry(settings.connections_file),
        LocalSecretFile(settings.secrets_file),
        artifacts,
    )
    payments = PaymentActivities(sessions, artifacts)
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activity_methods(payments),
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with worker:
            logger.info("worker ready on task queue %s", settings.task_queue)
            if ready is not None:
                ready.set()
            await stop.wait()
            logger.info("shutting down: letting running activities finish")
    finally:
        await browsers.close()
        logger.info("worker stopped")
