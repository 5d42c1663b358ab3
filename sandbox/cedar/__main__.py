"""``python -m sandbox.cedar``: run the Cedar sandbox portal."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sandbox.cedar.app import create_app
from sandbox.cedar.settings import SandboxSettings
from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.serving import (
    add_launcher_arguments,
    add_portal_arguments,
    configure_logging,
    run,
)

logger = logging.getLogger("sandbox.cedar")


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.cedar", description=__doc__)
    add_launcher_arguments(parser, port=8101, db=Path(".data/sandbox/cedar.sqlite3"))
    parser.add_argument("--patients", type=int, default=6)
    add_portal_arguments(parser)
    parser.add_argument(
        "--processor-url", default=None, help="charge through this sandbox processor"
    )
    args = parser.parse_args(argv)
    return SandboxSettings(
        db_path=args.db, host=args.host, port=args.port, seed=args.seed,
        patients=args.patients, session_idle_seconds=args.session_idle_seconds,
        code_seconds=args.code_seconds,
        reset=args.reset, processor_url=args.processor_url,
        maintenance_window=args.maintenance_window,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    settings = parse_args(argv)
    connections = ConnectionRegistry()
    run(
        create_app(settings, connections), host=settings.host, port=settings.port,
        connections=connections,
        announce=lambda: logger.info(
            "Cedar sandbox listening on http://%s:%d", settings.host, settings.port
        ),
    )  # fmt: skip


if __name__ == "__main__":
    main()
