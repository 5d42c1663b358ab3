"""``billbridge api [migrate]``: serve the HTTP API, or only bring its database up to date."""

from __future__ import annotations

import argparse
import logging

from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say


def register(commands: Commands) -> None:
    api = commands.add_parser(
        "api", help="serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)"
    )
    api.add_argument("--host", default=None, help="address to listen on (BILLBRIDGE_API_HOST)")
    api.add_argument("--port", type=int, default=None, help="port (BILLBRIDGE_API_PORT)")
    # A server: its log says what it does (one redacted line per request).
    api.set_defaults(handler=serve_api, log_level=logging.INFO)
    actions = api.add_subparsers(dest="api_action", required=False)
    actions.add_parser(
        "migrate", help="apply the read model's migrations and exit (the API also does on start)"
    ).set_defaults(handler=migrate, log_level=logging.WARNING)


async def serve_api(args: argparse.Namespace, settings: Settings) -> int:
    from starters.api.server import serve

    host = args.host or settings.api_host
    port = settings.api_port if args.port is None else args.port
    say(f"BillBridge API on http://{host}:{port} (docs: http://{host}:{port}/docs)")
    await serve(settings, host=host, port=port)
    return 0


async def migrate(args: argparse.Namespace, settings: Settings) -> int:
    from stores.read_model.database import describe, open_engine
    from stores.read_model.migrate import current_revision, upgrade

    engine = open_engine(settings.read_model_url)
    try:
        upgrade(engine)
        say(f"read model {describe(engine)} at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0
