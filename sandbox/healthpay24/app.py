"""The HealthPay24 sandbox ASGI app: routers, error pages and the lifespan that owns the
database and the processor client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.autopay import Autopay
from sandbox.common.autopay_web import AutopayCatchUp
from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.error_pages import add_common_error_pages
from sandbox.healthpay24 import db as database
from sandbox.healthpay24.admin import router as admin_router
from sandbox.healthpay24.pages.accounts import router as accounts_router
from sandbox.healthpay24.pages.checkout import router as checkout_router
from sandbox.healthpay24.pages.guards import LoginRequired, NotFound
from sandbox.healthpay24.pages.payments import router as payments_router
from sandbox.healthpay24.pages.plans import router as plans_router
from sandbox.healthpay24.pages.sign_in import SIGN_IN, TIMED_OUT_URL
from sandbox.healthpay24.pages.sign_in import router as sign_in_router
from sandbox.healthpay24.pages.wallet import router as wallet_router
from sandbox.healthpay24.settings import SandboxSettings
from sandbox.healthpay24.state import MERCHANT, HealthPay24Sandbox, get_sandbox
from sandbox.processor.client import ProcessorClient, ProcessorUnavailable

logger = logging.getLogger(__name__)

BAD_GATEWAY = 502
NOT_FOUND_HEADINGS = {
    "account": "Account not found",
    "statement": "Statement not found",
    "checkout": "Payment session not found",
    "receipt": "Receipt not found",
    "plan": "Payment plan not found",
}


def create_app(settings: SandboxSettings, connections: ConnectionRegistry | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connection = database.connect(settings.db_path)
        processor = ProcessorClient(settings.processor_url, MERCHANT)
        sandbox = HealthPay24Sandbox(
            settings, connection, connections or ConnectionRegistry(), processor
        )
        if settings.reset or not database.is_seeded(connection):
            sandbox.reset()
        app.state.sandbox = sandbox
        try:
            yield
        finally:
            await processor.aclose()
            connection.close()

    app = FastAPI(title="HealthPay24 sandbox", lifespan=lifespan, docs_url=None, redoc_url=None)
    for router in (admin_router, sign_in_router, accounts_router, checkout_router,
                   payments_router, wallet_router):  # fmt: skip
        app.include_router(router)
    app.include_router(plans_router)
    # Autopay drafts what came due on the sandbox clock before any page answers.
    app.add_middleware(AutopayCatchUp, autopay_of=_autopay_of)
    _add_error_pages(app)
    return app


def _autopay_of(app: FastAPI) -> Autopay | None:
    sandbox: HealthPay24Sandbox | None = getattr(app.state, "sandbox", None)
    return None if sandbox is None else sandbox.autopay


def _add_error_pages(app: FastAPI) -> None:
    add_common_error_pages(app, get_sandbox, logger)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(TIMED_OUT_URL if exc.timed_out else SIGN_IN, status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        heading = NOT_FOUND_HEADINGS.get(exc.what, "Page not found")
        return get_sandbox(request).render(request, "not_found.html", 404, heading=heading)

    @app.exception_handler(ProcessorUnavailable)
    async def processor_unavailable(request: Request, exc: ProcessorUnavailable) -> Response:
        logger.warning("The processor did not answer: %s", exc)
        return get_sandbox(request).render(request, "error.html", BAD_GATEWAY)
