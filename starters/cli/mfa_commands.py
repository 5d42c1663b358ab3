"""``billbridge mfa list | submit | resend``: logins waiting for a person's one-time code."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from models.connection_session import MALFORMED_CODE, MfaCodeSubmission
from models.errors import InvalidInput
from models.settings import Settings
from starters.cli.commands import Commands, require_connection_id
from starters.cli.console import say

if TYPE_CHECKING:
    from starters.client import SessionsClient


def register(commands: Commands) -> None:
    mfa = commands.add_parser("mfa", help="logins waiting for a person's one-time code")
    actions = mfa.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "list", help="pending challenges: connection, method, where, age"
    ).set_defaults(handler=list_pending)
    submit = actions.add_parser("submit", help="answer a pending challenge")
    submit.add_argument("connection")
    submit.add_argument("code")
    submit.set_defaults(handler=submit_code)
    resend = actions.add_parser("resend", help="ask the portal for a new code")
    resend.add_argument("connection")
    resend.set_defaults(handler=resend_code)


async def sessions_client(settings: Settings) -> SessionsClient:
    from starters.client import SessionsClient
    from starters.client.actors import operator_actor
    from workers.temporal_client import connect

    return SessionsClient(await connect(settings), operator_actor(settings.operator))


async def list_pending(args: argparse.Namespace, settings: Settings) -> int:
    pending = await (await sessions_client(settings)).pending_mfa()
    if not pending:
        say("no logins are waiting for a code")
    for view in pending:
        assert view.challenge is not None
        age = datetime.now(UTC) - view.challenge.raised_at
        say(
            f"{view.connection_id}\t{view.challenge.method}\t"
            f"{view.challenge.masked_destination or '-'}\t{int(age.total_seconds())}s ago\t"
            f"{view.challenge.attempts_left} attempts left"
        )
    return 0


async def submit_code(args: argparse.Namespace, settings: Settings) -> int:
    # Checked before a server is dialed; the session checks the code again, by its rules.
    require_connection_id(args.connection)
    if not MfaCodeSubmission(code=args.code).is_well_formed():
        raise InvalidInput(MALFORMED_CODE)
    sessions = await sessions_client(settings)
    result = await sessions.submit_mfa_code(args.connection, args.code)
    say(("accepted: " if result.accepted else "not accepted: ") + result.message)
    return 0 if result.accepted else 1


async def resend_code(args: argparse.Namespace, settings: Settings) -> int:
    require_connection_id(args.connection)
    view = await (await sessions_client(settings)).resend_mfa_code(args.connection)
    where = view.challenge.masked_destination if view.challenge else None
    say(f"a new code was sent to {where or 'the enrolled device'}")
    return 0
