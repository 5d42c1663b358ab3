"""The sandbox processor's ASGI app: charge API, hosted fields, admin, and the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.responses import JSONResponse, Response

from sandbox.processor import db as database
from sandbox.processor.admin import router as admin_router
from sandbox.processor.charges import router as charges_router
from sandbox.processor.hosted_fields import router as hosted_fields_router
from sandbox.processor.settings import ProcessorSettings
from sandbox.processor.state import STATIC_DIR, Processor


def create_app(settings: ProcessorSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connection = database.connect(settings.db_path)
        app.state.processor = Processor(settings, connection)
        try:
            yield
        finally:
            connection.close()

    app = FastAPI(title="Sandbox processor", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(admin_router)
    app.include_router(charges_router)
    app.include_router(hosted_fields_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default answer echoes the input back, which could be a typed card number.
        fields = [".".join(str(part) for part in error["loc"]) for error in exc.errors()]
        return JSONResponse(
            {"error": "invalid_request", "message": f"Invalid fields: {', '.join(fields)}"},
            status_code=422,
        )

    return app
