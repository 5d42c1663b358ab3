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

from temporalio.client import Client
from temporalio.worker import Worker

from activities.audit import AuditActivities
from activities.canary import CanaryActivities
from activities.deposits import DepositActivities
from activities.events import EventActivities
from activities.offerings import OfferingActivities
from activities.payment_records import PaymentRecordActivities
from activities.payments import PaymentActivities
from activities.plans import PlanActivities
from activities.portal_sessions import PortalSessions
from activities.reconciliation import ReconciliationActivities
from activities.refund_locks import RefundLockBroker
from activities.refunds import RefundActivities
from activities.session_broker import SessionBroker
from activities.sessions import SessionActivities
from activities.settlement_records import SettlementRecordActivities
from activities.sync_reading import SyncReadingActivities
from activities.sync_recording import ReadModelWriters, SyncRecordingActivities
from activities.sync_starts import ReadModelRefresh
from activities.webhook_delivery import WebhookDeliveryActivities
from activities.webhook_fanout import WebhookFanOut
from models.settings import Settings
from portals.browser import BrowserPool
from security.audit_log import open_audit_log
from security.redacted_failures import RedactingInterceptor
from security.redacted_logging import install_log_redaction
from stores.artifacts import open_artifact_store
from stores.canary_states import CanaryStates
from stores.connections import ConnectionRegistry
from stores.events import EventLog
from stores.read_model.database import open_engine
from stores.read_model.posted_payments import PostedPayments
from stores.read_model.sealed_rows import RowSealer, read_model_key
from stores.read_model.webhook_deliveries import WebhookDeliveries
from stores.read_model.webhook_endpoints import WebhookEndpoints
from stores.secrets import open_secret_store
from stores.session_store import SessionStateStore, session_key
from workers.registry import WORKFLOWS, activities_of
from workers.temporal_client import connect

logger = logging.getLogger("billbridge.worker")


def build_worker(
    client: Client, settings: Settings, browsers: BrowserPool, *, task_queue: str | None = None
) -> Worker:
    """Wire stores and clients into the activity classes and register everything."""
    secrets = open_secret_store(settings)
    artifacts = open_artifact_store(settings, secrets)
    connections = ConnectionRegistry(settings.connections_file)
    portal_sessions = PortalSessions(
        browsers,
        connections,
        secrets,
        artifacts,
        SessionStateStore(settings.sessions_dir, session_key(secrets, settings.session_key)),
    )
    # Webhooks and posted payments: tenants' rows are in the read model the API migrates.
    # SQLAlchemy connects on first use: a worker whose connections are all the CLI's never
    # opens the database.
    read_model = open_engine(settings.read_model_url)
    queue = task_queue or settings.task_queue
    writers = ReadModelWriters(
        open_engine=lambda: read_model, open_sealer=lambda: RowSealer(read_model_key(secrets))
    )
    refresh = ReadModelRefresh(
        client,
        queue,
        lambda connection_id: writers.connections.tenant_of(connection_id) is not None,
        session_wait_seconds=settings.sync_session_wait_seconds,
    )
    return Worker(
        client,
        task_queue=queue,
        workflows=WORKFLOWS,
        activities=activities_of(
            PaymentActivities(portal_sessions, artifacts),
            SessionActivities(portal_sessions),
            SessionBroker(client, settings),
            AuditActivities(open_audit_log(settings)),
            OfferingActivities(connections),
            EventActivities(
                EventLog(settings.events_dir), WebhookFanOut(read_model, client, settings), refresh
            ),
            WebhookDeliveryActivities(
                WebhookDeliveries(read_model),
                WebhookEndpoints(read_model),
                secrets,
                settings.webhook_timeout_seconds,
            ),
            ReconciliationActivities(
                portal_sessions, connections, secrets, artifacts, open_audit_log(settings)
            ),
            SettlementRecordActivities(read_model, secrets),
            DepositActivities(portal_sessions),
            RefundActivities(portal_sessions),
            RefundLockBroker(client),
            PlanActivities(portal_sessions),
            PaymentRecordActivities(lambda: PostedPayments(read_model, writers.sealer)),
            SyncReadingActivities(portal_sessions, artifacts),
            SyncRecordingActivities(writers),
            CanaryActivities(portal_sessions, CanaryStates(settings.events_dir)),
        ),
        # Activity failures (history, UI, worker log) leave the worker redacted.
        interceptors=[RedactingInterceptor()],
        max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
    )


def browser_pool(settings: Settings) -> BrowserPool:
    return BrowserPool(
        executable=settings.browser,
        max_contexts=settings.max_browser_contexts,
        max_context_uses=settings.browser_context_uses,
        idle_seconds=settings.browser_context_idle_seconds,
        keep_page=settings.browser_keep_page,
        spare=settings.browser_spare_context,
        driver_node_options=settings.browser_driver_node_options,
    )


async def run_worker(settings: Settings) -> None:
    install_log_redaction()  # also when run_worker is called without the CLI's logging
    client = await connect(settings)
    browsers = browser_pool(settings)
    await browsers.start()
    worker = build_worker(client, settings, browsers)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with worker:
            logger.info("worker ready on task queue %s", settings.task_queue)
            await stop.wait()
            logger.info("shutting down: letting running activities finish")
    finally:
        await browsers.close()
        logger.info("browser pool at exit: %s", browsers.stats())
        logger.info("worker stopped")
