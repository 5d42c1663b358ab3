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
    estimate_routes,
    health_routes,
    patient_routes,
    statement_routes,
)
from starters.api.card_numbers import refuse_card_numbers
from starters.api.openapi import install_openapi
from starters.api.problems import install_problem_handlers, internal_error_response
from starters.api.request_ids import RequestIds
from starters.api.services import ApiServices, TemporalLink
from starters.api.sync_link import SyncLink
from stores.artifacts import open_artifact_store
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine
from stores.read_model.migrate import upgrade
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
            connections = TenantConnections(engine)
            temporal = TemporalLink(settings)
            sync = SyncLink(settings, temporal, connections)
            app.state.services = ApiServices(
                settings=settings,
                engine=engine,
                api_keys=ApiKeys(engine),
                connections=connections,
                temporal=temporal,
                reads=SyncedReads(
                    engine, SyncedObjects(engine, RowSealer(read_model_key(secrets)))
                ),
                artifacts=open_artifact_store(settings, secrets),
                sync=sync,
            )
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
    app.include_router(patient_routes.router)
    app.include_router(account_routes.router)
    app.include_router(statement_routes.router)
    app.include_router(estimate_routes.router)
    return app
