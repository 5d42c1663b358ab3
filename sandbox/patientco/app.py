"""The Patientco staff console's ASGI app: routers and error pages."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.autopay_web import AutopayCatchUp
from sandbox.common.error_pages import add_common_error_pages
from sandbox.common.maintenance import MaintenancePage
from sandbox.patientco.admin import router as admin_router
from sandbox.patientco.chargeback_admin import router as chargeback_admin_router
from sandbox.patientco.pages.accounts import router as accounts_router
from sandbox.patientco.pages.guards import LoginRequired, NotFound, TermsPending
from sandbox.patientco.pages.payments import router as payments_router
from sandbox.patientco.pages.plans import router as plans_router
from sandbox.patientco.pages.settlements import router as settlements_router
from sandbox.patientco.pages.sign_in import router as sign_in_router
from sandbox.patientco.pages.statements import router as statements_router
from sandbox.patientco.pages.terms_notice import PATH as TERMS_NOTICE_PATH
from sandbox.patientco.pages.terms_notice import router as terms_notice_router
from sandbox.patientco.pages.transactions import router as transactions_router
from sandbox.patientco.state import PatientcoSandbox, get_sandbox

logger = logging.getLogger(__name__)


def create_app(sandbox: PatientcoSandbox) -> FastAPI:
    app = FastAPI(title="Patientco sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = sandbox
    app.include_router(chargeback_admin_router)
    for router in (admin_router, sign_in_router, accounts_router, statements_router,
                   transactions_router, payments_router, settlements_router,
                   plans_router, terms_notice_router):  # fmt: skip
        app.include_router(router)
    app.add_middleware(AutopayCatchUp, autopay_of=lambda _app: sandbox.autopay)
    _add_error_pages(app)
    app.add_middleware(MaintenancePage, get_sandbox=get_sandbox)
    return app


def _add_error_pages(app: FastAPI) -> None:
    add_common_error_pages(app, get_sandbox, logger)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login?expired=1" if exc.expired else "/login", status_code=303)

    @app.exception_handler(TermsPending)
    async def terms_pending(request: Request, exc: TermsPending) -> Response:
        return RedirectResponse(TERMS_NOTICE_PATH, status_code=303)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return get_sandbox(request).render(request, "not_found.html", 404, heading=exc.heading)
