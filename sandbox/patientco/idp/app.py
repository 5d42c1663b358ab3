"""The identity provider's ASGI app ("Patientco ID"), served on its own port and origin."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sandbox.common.faults import StepFailure
from sandbox.patientco.idp.pages import router
from sandbox.patientco.idp.state import IdpState, get_idp

logger = logging.getLogger(__name__)


def create_idp_app(state: IdpState) -> FastAPI:
    app = FastAPI(title="Patientco ID (sandbox)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.idp = state
    app.include_router(router)

    @app.exception_handler(StepFailure)
    async def step_failure(request: Request, exc: StepFailure) -> Response:
        logger.info("Injected failure at step %s", exc.step)
        return get_idp(request).message(
            request, "Something went wrong", 500,
            detail="Patientco ID is temporarily unavailable. Try again in a few minutes.",
        )  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        heading = "Page not found" if exc.status_code == 404 else "Something went wrong"
        return get_idp(request).message(request, heading, exc.status_code)

    return app
