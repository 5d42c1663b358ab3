"""``billbridge api-keys create | list | revoke``: tenants' keys for the HTTP API.

``create`` prints the key once, alone on the first line (``KEY=$(… | head -n1)``); only
its hash is stored, so a lost key is revoked and replaced, never shown again.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from models.api_keys import ApiKeyPublic, Scope
from models.pages import MAX_PAGE_LIMIT, PageRequest
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say

if TYPE_CHECKING:
    from stores.read_model.api_keys import ApiKeys


def register(commands: Commands) -> None:
    keys = commands.add_parser("api-keys", help="API keys of the HTTP API's tenants")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key (shown once)")
    create.add_argument("--tenant", required=True, help="tenant slug (created on first key)")
    create.add_argument("--name", required=True, help="key name, unique in the tenant")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=[s.value for s in Scope],
        help="repeatable; admin holds every scope",
    )
    create.set_defaults(handler=create_key)
    listing = actions.add_parser("list", help="keys (ids, names, scopes, last 4 characters)")
    listing.add_argument("--tenant", default=None, help="only this tenant's keys")
    listing.set_defaults(handler=list_keys)
    revoke = actions.add_parser("revoke", help="revoke a key at once and for good")
    revoke.add_argument("key_id", help="the key's id (key_…), from `api-keys list`")
    revoke.set_defaults(handler=revoke_key)


def _open(settings: Settings) -> ApiKeys:
    from stores.read_model.api_keys import ApiKeys
    from stores.read_model.database import open_engine
    from stores.read_model.migrate import upgrade

    engine = open_engine(settings.read_model_url)
    upgrade(engine)
    return ApiKeys(engine)


def _line(key: ApiKeyPublic) -> str:
    state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M} UTC" if key.revoked_at else "active"
    scopes = ",".join(key.scopes)
    return f"{key.id}\t{key.tenant_id}/{key.name}\t{scopes}\t…{key.last4}\t{state}"


async def create_key(args: argparse.Namespace, settings: Settings) -> int:
    created = _open(settings).create(args.tenant, args.name, [Scope(s) for s in args.scope])
    say(created.key.get_secret_value())
    say(f"{_line(created)}\n(the key is shown this once: store it now)")
    return 0


async def list_keys(args: argparse.Namespace, settings: Settings) -> int:
    keys = _open(settings)
    request = PageRequest(limit=MAX_PAGE_LIMIT)
    while True:
        page = keys.list(request, tenant_id=args.tenant)
        for key in page.data:
            say(_line(key))
        if not page.has_more:
            return 0
        request = PageRequest(limit=MAX_PAGE_LIMIT, starting_after=page.data[-1].id)


async def revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    from models.errors import InvalidInput
    from stores.read_model.api_keys import ApiKeyNotFound

    try:
        revoked = _open(settings).revoke(args.key_id)
    except ApiKeyNotFound:
        raise InvalidInput("no API key with that id (billbridge api-keys list)") from None
    say(_line(revoked))
    return 0
