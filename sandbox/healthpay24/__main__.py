"""``python -m sandbox.healthpay24``: run the HealthPay24 sandbox portal."""

from __future__ import annotations

import argparse
import logging
import socket
from pathlib import Path

import uvicorn

from sandbox.common.connection_drop import ConnectionRegistry, protocol_kwargs
from sandbox.healthpay24.app import create_app
from sandbox.healthpay24.settings import SandboxSettings

logger = logging.getLogger("sandbox.healthpay24")


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.healthpay24", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--db", type=Path, default=Path(".data/sandbox/healthpay24.sqlite3"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--processor-url", required=True, help="the sandbox processor (python -m sandbox.processor)"
    )
    parser.add_argument("--patients", type=int, default=6)
    parser.add_argument("--session-idle-seconds", type=float, default=900.0)
    parser.add_argument("--code-seconds", type=float, default=600.0)
    parser.add_argument("--reset", action="store_true", help="re-seed even if the db exists")
    args = parser.parse_args(argv)
    return SandboxSettings(
        db_path=args.db, processor_url=args.processor_url, host=args.host, port=args.port,
        seed=args.seed, patients=args.patients, session_idle_seconds=args.session_idle_seconds,
        code_seconds=args.code_seconds, reset=args.reset,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Every processor call would log a line; the sandbox's own log says what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = parse_args(argv)
    connections = ConnectionRegistry()
    config = uvicorn.Config(
        create_app(settings, connections),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        **protocol_kwargs(connections),
    )
    _AnnouncingServer(config, settings).run()


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, settings: SandboxSettings) -> None:
        super().__init__(config)
        self._settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        # Announce only once the socket is bound, so whoever reads the log can connect at once.
        if self.started:
            logger.info(
                "HealthPay24 sandbox listening on http://%s:%d (processor %s)",
                self._settings.host, self._settings.port, self._settings.processor_url,
            )  # fmt: skip


if __name__ == "__main__":
    main()
