"""``python -m sandbox.processor``: run the sandbox card/ACH processor."""

from __future__ import annotations

import argparse
import logging
import socket
from pathlib import Path

import uvicorn

from sandbox.processor.app import create_app
from sandbox.processor.settings import ProcessorSettings

logger = logging.getLogger("sandbox.processor")


def parse_args(argv: list[str] | None = None) -> ProcessorSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.processor", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--db", type=Path, default=Path(".data/sandbox/processor.sqlite3"))
    parser.add_argument("--seed", type=int, default=42, help="accepted like every sandbox's")
    parser.add_argument("--checkout-session-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)
    return ProcessorSettings(
        db_path=args.db, host=args.host, port=args.port, seed=args.seed,
        checkout_session_seconds=args.checkout_session_seconds,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = parse_args(argv)
    # No access log: request lines are harmless, but nothing here should ever echo card input.
    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port,
        log_level="warning", access_log=False,
    )  # fmt: skip
    _AnnouncingServer(config, settings).run()


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, settings: ProcessorSettings) -> None:
        super().__init__(config)
        self._settings = settings

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            logger.info(
                "Sandbox processor listening on http://%s:%d",
                self._settings.host, self._settings.port,
            )  # fmt: skip


if __name__ == "__main__":
    main()
