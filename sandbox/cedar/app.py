"""The Cedar sandbox ASGI app: routers, error pages and the lifespan that owns the database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import db as database
from sandbox.cedar.admin import router as admin_router
from sandbox.cedar.charging import MERCHANT
from sandbox.cedar.pages.account import router as account_router
from sandbox.cedar.pages.guards import LoginRequired, NotFound, TermsPending
from sandbox.cedar.pages.notices import TERMS_PATH
from sandbox.cedar.pages.notices import router as notices_router
from sandbox.cedar.pages.payments import router as payments_router
from sandbox.cedar.pages.plans import router as plans_router
from sandbox.cedar.pages.sign_in import router as sign_in_router
from sandbox.cedar.pages.statements import router as statements_router
from sandbox.cedar.settings import SandboxSettings
from sandbox.cedar.state import CedarSandbox, get_sandbox
from sandbox.common.autopay import Autopay
from sandbox.common.autopay_web import AutopayCatchUp
from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.error_pages import add_common_error_pages
from sandbox.common.maintenance import MaintenancePage
from sandbox.processor.client import ProcessorClient

logger = logging.getLogger(__name__)


def create_app(settings: SandboxSettings, connections: ConnectionRegistry | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connection = database.connect(settings.db_path)
        processor = (
            ProcessorClient(settings.processor_url, MERCHANT) if settings.processor_url else None
        )
        sandbox = CedarSandbox(
            settings, connection, connections or ConnectionRegistry(), processor=processor
        )
        if settings.reset or not database.is_seeded(connection):
            sandbox.reset()
        app.state.sandbox = sandbox
        try:
            yield
        finally:
            if processor is not None:
                await processor.aclose()
            connection.close()

    app = FastAPI(title="Cedar sandbox", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(admin_router)
    app.include_router(sign_in_router)
    app.include_router(notices_router)
    app.include_router(statements_router)
    app.include_router(payments_router)
    app.include_router(account_router)
    app.include_router(plans_router)
    app.add_middleware(AutopayCatchUp, autopay_of=_autopay_of)
    _add_error_pages(app)
    app.add_middleware(MaintenancePage, get_sandbox=get_sandbox)
    return app


def _autopay_of(app: FastAPI) -> Autopay | None:
    sandbox: CedarSandbox | None = getattr(app.state, "sandbox", None)
    return None if sandbox is None else sandbox.autopay


def _add_error_pages(app: FastAPI) -> None:
    add_common_error_pages(app, get_sandbox, logger)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login?expired=1" if exc.expired else "/login", status_code=303)

    @app.exception_handler(TermsPending)
    async def terms_pending(request: Request, exc: TermsPending) -> Response:
        return RedirectResponse(TERMS_PATH, status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        headings = {"statement": "Statement not found", "plan": "Payment plan not found"}
        heading = headings.get(exc.what, "Payment not found")
        return get_sandbox(request).render(request, "not_found.html", 404, heading=heading)
