"""Serving the API with uvicorn until SIGINT/SIGTERM (uvicorn's own graceful shutdown)."""

from __future__ import annotations

import logging

import uvicorn

from models.settings import Settings
from starters.api.app import create_app
from stores.read_model.database import describe, open_engine

_log = logging.getLogger("billbridge.api")


async def serve(settings: Settings, *, host: str, port: int) -> None:
    engine = open_engine(settings.read_model_url)
    database = describe(engine)
    engine.dispose()
    _log.info("BillBridge API on http://%s:%d (docs /docs), read model %s", host, port, database)
    # uvicorn's access log would print query strings; RequestIds writes a redacted line.
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, access_log=False, log_config=None
    )
    await uvicorn.Server(config).serve()
