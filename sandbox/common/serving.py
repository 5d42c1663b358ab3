"""What every ``python -m sandbox.<name>`` shares: the arguments the launcher passes, the log
format, and a uvicorn server that says where it listens once it really does."""

from __future__ import annotations

import argparse
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvicorn

from sandbox.common.connection_drop import ConnectionRegistry, protocol_kwargs

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(*, quiet_httpx: bool = False) -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if quiet_httpx:
        # Every processor or OIDC call would log a line; the sandbox's own log says what matters.
        logging.getLogger("httpx").setLevel(logging.WARNING)


def add_launcher_arguments(
    parser: argparse.ArgumentParser, *, port: int, db: Path, seed_help: str | None = None
) -> None:
    """``--host --port --db --seed``: what ``sandbox.launcher.PortalProcess`` passes to all."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--db", type=Path, default=db)
    parser.add_argument("--seed", type=int, default=42, help=seed_help)


def add_portal_arguments(parser: argparse.ArgumentParser) -> None:
    """What every sandbox portal (not the processor) accepts on top of the launcher's."""
    parser.add_argument("--session-idle-seconds", type=float, default=900.0)
    parser.add_argument("--code-seconds", type=float, default=600.0)
    parser.add_argument("--reset", action="store_true", help="re-seed even if the db exists")
    parser.add_argument(
        "--maintenance-window", action="store_true",
        help="keep the vendor's nightly maintenance window (off by default)",
    )  # fmt: skip


def run(
    app: Any,
    *,
    host: str,
    port: int,
    announce: Callable[[], None],
    connections: ConnectionRegistry | None = None,
) -> None:
    """Serve until stopped; ``connections`` lets the app drop a connection (crash faults)."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False,
        **(protocol_kwargs(connections) if connections is not None else {}),
    )  # fmt: skip
    _AnnouncingServer(config, announce).run()


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, announce: Callable[[], None]) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        # Announce only once the socket is bound, so whoever reads the log can connect at once.
        if self.started:
            self._announce()
