"""``billbridge codec-server``: where the Temporal UI and CLI decrypt payloads, by token."""

from __future__ import annotations

import argparse

from models.settings import Settings
from starters.cli.commands import Commands


def register(commands: Commands) -> None:
    codec = commands.add_parser(
        "codec-server", help="decrypt payloads for the Temporal UI and CLI (token required)"
    )
    codec.add_argument("--host", default="127.0.0.1")
    codec.add_argument("--port", type=int, default=8081)
    codec.add_argument(
        "--ui-origin",
        action="append",
        default=[],
        help="the Temporal UI's origin allowed by CORS, e.g. http://localhost:8233 (repeatable)",
    )
    codec.set_defaults(handler=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from starters.servers.codec_server import serve

    await serve(settings, host=args.host, port=args.port, ui_origins=args.ui_origin)
    return 0
