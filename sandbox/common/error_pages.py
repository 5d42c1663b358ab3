"""Error answers every sandbox portal gives the same way: an injected step failure is the
portal's 500 page, and an HTTP error is JSON under the admin API, the portal's page elsewhere.

What differs per vendor (where "sign in again" and "not found" lead) stays in its ``app.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from sandbox.common.faults import StepFailure
from sandbox.common.pages import RendersPages


def add_common_error_pages(
    app: FastAPI, get_sandbox: Callable[[Request], RendersPages], logger: logging.Logger
) -> None:
    """``error.html`` (500) for ``StepFailure``; ``not_found.html`` for other HTTP errors."""

    @app.exception_handler(StepFailure)
    async def step_failure(request: Request, exc: StepFailure) -> Response:
        logger.info("Injected failure at step %s", exc.step)
        return get_sandbox(request).render(request, "error.html", 500)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/__sandbox__/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        heading = "Page not found" if exc.status_code == 404 else "Something went wrong"
        return get_sandbox(request).render(
            request, "not_found.html", exc.status_code, heading=heading
        )
