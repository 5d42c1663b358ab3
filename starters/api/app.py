"""The API's composition root: the app, its lifespan (engine, migrations, Temporal link)
and the pieces every request passes (request id, card-number refusal, problem details)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from models.settings import Settings
from security.redacted_logging import install_log_redaction
from starters.api import (
    account_routes,
    api_key_routes,
    connection_routes,
    credential_routes,
    deposit_routes,
    estimate_routes,
    event_routes,
    health_routes,
    operation_routes,
    patient_routes,
    payment_routes,
    plan_routes,
    reconciliation_routes,
    refund_routes,
    session_routes,
    settlement_routes,
    statement_routes,
    webhook_routes,
)
from starters.api.card_numbers import refuse_card_numbers
from starters.api.openapi import install_openapi
from starters.api.problems import install_problem_handlers, internal_error_response
from starters.api.reconciliation_runs import ReconciliationServices
from starters.api.request_ids import RequestIds
from starters.api.services import ApiServices, TemporalLink
from starters.api.sync_link import SyncLink
from starters.servers.receipt_links import receipt_links_router
from stores.artifacts import open_artifact_store, receipt_link_key
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine
from stores.read_model.idempotency_keys import IdempotencyKeys
from stores.read_model.migrate import upgrade
from stores.read_model.posted_payments import PostedPayments
from stores.read_model.sealed_rows import RowSealer, read_model_key
from stores.read_model.synced_objects import SyncedObjects
from stores.read_model.synced_reads import SyncedReads
from stores.read_model.tenant_connections import TenantConnections
from stores.secrets import open_secret_store

DESCRIPTION = """\
One normalized API over patient-billing portals. Authenticate with an API key
(`Authorization: Bearer bbk_…`, made by `billbridge api-keys create`). Every error is RFC 9457
problem details (`application/problem+json`) with a typed `code` and the `request_id`;
lists are cursor pages (`limit`, `starting_after`, `has_more`).
"""


def create_app(settings: Settings) -> FastAPI:
    # Also when the app is served without the CLI's logging (another ASGI server, a test
    # client): a crash's traceback can quote a request, so every log handler redacts.
    install_log_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = open_engine(settings.read_model_url)
        try:
            # The schema is the code's: a started API always runs on the newest one.
            upgrade(engine)
            secrets = open_secret_store(settings)
            artifacts = open_artifact_store(settings, secrets)
            link_key = receipt_link_key(secrets)
            temporal = TemporalLink(settings)
            connections = TenantConnections(engine)
            sealer = RowSealer(read_model_key(secrets))
            sync = SyncLink(settings, temporal, connections)
            app.state.services = ApiServices(
                settings=settings,
                engine=engine,
                api_keys=ApiKeys(engine),
                connections=connections,
                temporal=temporal,
                idempotency=IdempotencyKeys(engine),
                payments=PostedPayments(engine, sealer),
                artifacts=artifacts,
                receipt_link_key=link_key,
                reads=SyncedReads(engine, SyncedObjects(engine, sealer)),
                sync=sync,
            )
            # The receipt links GET /payments/{id} signs point at this API: it serves them
            # as the codec server does (a link is its own authorization, no API key).
            app.include_router(receipt_links_router(artifacts, link_key), include_in_schema=False)
            app.state.reconciliation = ReconciliationServices.open(settings, engine, temporal)
            schedules = asyncio.create_task(sync.keep_schedules(), name="sync-schedules")
            try:
                yield
            finally:
                schedules.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await schedules
        finally:
            engine.dispose()

    app = FastAPI(
        title="BillBridge API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_card_numbers)],
    )
    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(RequestIds, crash_response=internal_error_response)
    app.include_router(health_routes.router)
    app.include_router(api_key_routes.router)
    app.include_router(connection_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(event_routes.router)
    app.include_router(operation_routes.router)
    app.include_router(payment_routes.router)
    app.include_router(refund_routes.router)
    app.include_router(plan_routes.router)
    app.include_router(deposit_routes.router)
    app.include_router(reconciliation_routes.router)
    app.include_router(settlement_routes.router)
    app.include_router(patient_routes.router)
    app.include_router(account_routes.router)
    app.include_router(statement_routes.router)
    app.include_router(estimate_routes.router)
    app.include_router(credential_routes.router)
    app.include_router(session_routes.router)
    return app
