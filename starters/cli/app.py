"""The ``billbridge`` command: each command group registers its subcommands and handlers."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence

from models.card_numbers import refuse_card_numbers_in
from models.settings import Settings
from security.redacted_logging import configure_logging
from starters.cli import (
    api_commands,
    api_key_commands,
    audit_commands,
    canary_commands,
    codec_server_commands,
    connection_commands,
    demo_commands,
    deposit_commands,
    key_commands,
    mfa_commands,
    pay_commands,
    payment_commands,
    plan_commands,
    receipt_commands,
    reconcile_commands,
    refund_commands,
    worker_commands,
)
from starters.cli.commands import DISPATCH_KEYS, Handler
from starters.cli.console import complain
from starters.cli.failures import explain
from workers.process_exit import exit_now

# In the order `billbridge --help` lists them.
COMMAND_GROUPS = (
    worker_commands,
    audit_commands,
    pay_commands,
    payment_commands,
    deposit_commands,
    refund_commands,
    plan_commands,
    demo_commands,
    codec_server_commands,
    key_commands,
    mfa_commands,
    connection_commands,
    receipt_commands,
    reconcile_commands,
    canary_commands,
    api_commands,
    api_key_commands,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="billbridge", description="The ``billbridge`` command.")
    parser.set_defaults(log_level=logging.WARNING)
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


async def _run(args: argparse.Namespace) -> int:
    # Every argument of every command, before anything is connected, parsed or echoed.
    for name, value in vars(args).items():
        if name not in DISPATCH_KEYS:
            refuse_card_numbers_in(value, f"the {name.replace('_', '-')} argument")
    handler: Handler = args.handler
    return await handler(args, Settings())


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    try:
        code = asyncio.run(_run(args))
    except KeyboardInterrupt:
        code = 130
    except Exception as err:
        explained = explain(err)
        if explained is None:
            raise
        line, code = explained
        complain(line)
    exit_now(code)
