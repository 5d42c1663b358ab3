"""``billbridge canary run|schedule|unschedule``: a connection's read-only drift check."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from models.canary import CanaryStatus
from models.errors import InvalidInput
from models.settings import Settings
from starters.cli.commands import Commands, require_connection_id
from starters.cli.console import say

_INTERVAL = re.compile(r"(\d+)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def register(commands: Commands) -> None:
    canary = commands.add_parser(
        "canary", help="walk a connection's portal read-only and report drift before a payment"
    )
    actions = canary.add_subparsers(dest="canary_action", required=True)

    run = actions.add_parser("run", help="walk the portal once now and print the verdict")
    run.add_argument("connection", help="connection id")
    run.set_defaults(handler=run_canary)

    schedule = actions.add_parser("schedule", help="create or update the canary's Schedule")
    schedule.add_argument("connection", help="connection id")
    schedule.add_argument("--every", default="1h", help="interval: 90s, 15m, 1h, 2h30m; 1h")
    schedule.set_defaults(handler=schedule_canary)

    unschedule = actions.add_parser("unschedule", help="delete the canary's Schedule")
    unschedule.add_argument("connection", help="connection id")
    unschedule.set_defaults(handler=unschedule_canary)


def interval(text: str) -> timedelta:
    parts = _INTERVAL.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise InvalidInput(f"--every must be like 90s, 15m, 1h or 2h30m (got {text!r})")
    return timedelta(seconds=sum(int(n) * _UNIT_SECONDS[u] for n, u in parts))


async def run_canary(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    require_connection_id(args.connection)
    client = await BillBridgeClient.connect(settings)
    result = await client.run_canary(args.connection)
    say(f"Canary of {result.connection_id} at {result.checked_at:%Y-%m-%d %H:%M:%S} UTC")
    say(f"  {result.describe()}")
    return 1 if result.status is CanaryStatus.DRIFT else 0


async def schedule_canary(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    require_connection_id(args.connection)
    every = interval(args.every)
    client = await BillBridgeClient.connect(settings)
    schedule_id, created = await client.schedule_canary(args.connection, every)
    verb = "Created" if created else "Updated"
    say(f"{verb} schedule {schedule_id}: canary of {args.connection} every {every}")
    return 0


async def unschedule_canary(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    require_connection_id(args.connection)
    client = await BillBridgeClient.connect(settings)
    await client.unschedule_canary(args.connection)
    say(f"Deleted the canary schedule of {args.connection}")
    return 0
