"""``python -m sandbox.healthpay24``: run the HealthPay24 sandbox portal."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.serving import (
    add_launcher_arguments,
    add_portal_arguments,
    configure_logging,
    run,
)
from sandbox.healthpay24.app import create_app
from sandbox.healthpay24.settings import SandboxSettings

logger = logging.getLogger("sandbox.healthpay24")


def parse_args(argv: list[str] | None = None) -> SandboxSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.healthpay24", description=__doc__)
    add_launcher_arguments(parser, port=8103, db=Path(".data/sandbox/healthpay24.sqlite3"))
    parser.add_argument(
        "--processor-url", required=True, help="the sandbox processor (python -m sandbox.processor)"
    )
    parser.add_argument("--patients", type=int, default=6)
    parser.add_argument("--sftp-port", type=int, default=0, help="0 or absent: a free port")
    add_portal_arguments(parser)
    args = parser.parse_args(argv)
    return SandboxSettings(
        db_path=args.db, processor_url=args.processor_url, host=args.host, port=args.port,
        seed=args.seed, patients=args.patients, session_idle_seconds=args.session_idle_seconds,
        code_seconds=args.code_seconds, reset=args.reset,
        maintenance_window=args.maintenance_window,
        sftp_port=args.sftp_port,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    configure_logging(quiet_httpx=True)
    settings = parse_args(argv)
    connections = ConnectionRegistry()
    run(
        create_app(settings, connections), host=settings.host, port=settings.port,
        connections=connections,
        announce=lambda: logger.info(
            "HealthPay24 sandbox listening on http://%s:%d (processor %s)",
            settings.host, settings.port, settings.processor_url,
        ),
    )  # fmt: skip


if __name__ == "__main__":
    main()
