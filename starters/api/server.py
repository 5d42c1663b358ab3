"""Serving the API with uvicorn until SIGINT/SIGTERM (uvicorn's own graceful shutdown)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn

from models.settings import Settings
from starters.api.app import create_app
from stores.read_model.database import describe, open_engine

_log = logging.getLogger("billbridge.api")


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, which kills the process
    before the entry point can flush and leave by ``os._exit`` (sdk-python#300); here the
    signal only starts that shutdown, so a stopped API exits with status 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        stops = (signal.SIGINT, signal.SIGTERM)
        for stop in stops:
            loop.add_signal_handler(stop, self.handle_exit, stop, None)
        try:
            yield
        finally:
            for stop in stops:
                loop.remove_signal_handler(stop)


async def serve(settings: Settings, *, host: str, port: int) -> None:
    engine = open_engine(settings.read_model_url)
    database = describe(engine)
    engine.dispose()
    _log.info("BillBridge API on http://%s:%d (docs /docs), read model %s", host, port, database)
    # uvicorn's access log would print query strings; RequestIds writes a redacted line.
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, access_log=False, log_config=None
    )
    await _Server(config).serve()
