"""``billbridge worker``: run a worker (the workflows and the browser activities)."""

from __future__ import annotations

import argparse
import logging

from models.settings import Settings
from starters.cli.commands import Commands


def register(commands: Commands) -> None:
    worker = commands.add_parser("worker", help="run a worker (workflows + browser activities)")
    # A worker is a service: its log says what it does, not only what went wrong.
    worker.set_defaults(handler=run, log_level=logging.INFO)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from workers.main import run_worker

    await run_worker(settings)
    return 0
