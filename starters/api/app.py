"""The API's composition root: the app, its lifespan (engine, migrations, Temporal link)
and the pieces every request passes (request id, card-number refusal, problem details)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from models.settings import Settings
from security.redacted_logging import install_log_redaction
from starters.api import (
    api_key_routes,
    connection_routes,
    credential_routes,
    health_routes,
    session_routes,
)
from starters.api.card_numbers import refuse_card_numbers
from starters.api.openapi import install_openapi
from starters.api.problems import install_problem_handlers, internal_error_response
from starters.api.request_ids import RequestIds
from starters.api.services import ApiServices, TemporalLink
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine
from stores.read_model.migrate import upgrade
from stores.read_model.tenant_connections import TenantConnections

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
            app.state.services = ApiServices(
                settings=settings,
                engine=engine,
                api_keys=ApiKeys(engine),
                connections=TenantConnections(engine),
                temporal=TemporalLink(settings),
            )
            yield
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
    app.include_router(credential_routes.router)
    app.include_router(session_routes.router)
    return app
