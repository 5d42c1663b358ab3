"""``billbridge keys list | rotate | codec-token``: payload-encryption keys, ids only."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say

if TYPE_CHECKING:
    from stores.keyring import Keyring


def register(commands: Commands) -> None:
    keys = commands.add_parser("keys", help="payload-encryption keys (ids only, never material)")
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the key ids loaded, and which one encrypts").set_defaults(
        handler=list_keys
    )
    actions.add_parser(
        "rotate", help="add a new active key; old keys stay so old histories stay readable"
    ).set_defaults(handler=rotate_keys)
    actions.add_parser(
        "codec-token", help="print the codec server's token (operators only)"
    ).set_defaults(handler=print_codec_token)


async def list_keys(args: argparse.Namespace, settings: Settings) -> int:
    from stores.keyring import load_keyring
    from stores.secrets import open_secret_store

    _show(load_keyring(open_secret_store(settings), settings.codec_keys))
    return 0


async def rotate_keys(args: argparse.Namespace, settings: Settings) -> int:
    from stores.keyring import rotate_keyring
    from stores.secrets import open_secret_store

    keyring = rotate_keyring(open_secret_store(settings), settings.codec_keys)
    say(f"new active key {keyring.active}; restart workers and clients to encrypt with it")
    _show(keyring)
    return 0


async def print_codec_token(args: argparse.Namespace, settings: Settings) -> int:
    from starters.servers.codec_server import codec_server_token
    from stores.secrets import open_secret_store

    say(codec_server_token(open_secret_store(settings)))
    return 0


def _show(keyring: Keyring) -> None:
    for key_id in sorted(keyring.keys):
        role = "active (encrypts and decrypts)" if key_id == keyring.active else "decrypts"
        say(f"{key_id}\t{role}")
