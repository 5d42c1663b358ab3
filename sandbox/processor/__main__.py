"""``python -m sandbox.processor``: run the sandbox card/ACH processor."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from sandbox.common.serving import add_launcher_arguments, configure_logging, run
from sandbox.processor.app import create_app
from sandbox.processor.settings import ProcessorSettings

logger = logging.getLogger("sandbox.processor")


def parse_args(argv: list[str] | None = None) -> ProcessorSettings:
    parser = argparse.ArgumentParser(prog="python -m sandbox.processor", description=__doc__)
    add_launcher_arguments(
        parser, port=8100, db=Path(".data/sandbox/processor.sqlite3"),
        seed_help="accepted like every sandbox's",
    )  # fmt: skip
    parser.add_argument("--checkout-session-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)
    return ProcessorSettings(
        db_path=args.db, host=args.host, port=args.port, seed=args.seed,
        checkout_session_seconds=args.checkout_session_seconds,
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    configure_logging()
    settings = parse_args(argv)
    # No access log (nor in any sandbox): nothing here should ever echo card input.
    run(
        create_app(settings), host=settings.host, port=settings.port,
        announce=lambda: logger.info(
            "Sandbox processor listening on http://%s:%d", settings.host, settings.port
        ),
    )  # fmt: skip


if __name__ == "__main__":
    main()
