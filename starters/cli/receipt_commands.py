"""``billbridge receipts link``: an expiring link to a stored receipt or other artifact."""

from __future__ import annotations

import argparse
from datetime import timedelta

from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say


def register(commands: Commands) -> None:
    receipts = commands.add_parser("receipts", help="stored receipts and other artifacts")
    actions = receipts.add_subparsers(dest="action", required=True)
    link = actions.add_parser("link", help="print a link to an artifact that expires")
    link.add_argument("key", help="artifact key, e.g. receipts/<connection>/<confirmation>.pdf")
    link.add_argument("--ttl-minutes", type=int, default=15, help="default 15")
    link.set_defaults(handler=print_link)


async def print_link(args: argparse.Namespace, settings: Settings) -> int:
    from stores.artifacts import open_artifact_store
    from stores.secrets import open_secret_store

    store = open_artifact_store(settings, open_secret_store(settings))
    say(store.link(args.key, timedelta(minutes=args.ttl_minutes)))
    return 0
