"""``billbridge demo``: sandbox, Temporal and a worker on this machine, and one payment."""

from __future__ import annotations

import argparse
import signal

from models.connections import PortalName
from models.settings import Settings
from starters.cli.commands import Commands


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="sandbox + Temporal + worker + one payment")
    demo.add_argument("--once", action="store_true", help="exit after the payment")
    demo.add_argument("--portal", choices=[p.value for p in PortalName], default="cedar")
    demo.add_argument(
        "--mfa",
        choices=["totp", "sms", "email"],
        default="totp",
        help="sms/email: the login waits for you to type the code the sandbox sent",
    )
    demo.set_defaults(handler=run)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from starters.local.demo import run_demo

    # SIGTERM unwinds like Ctrl-C, so the demo stops its children (by pid) on the way out.
    signal.signal(signal.SIGTERM, _interrupt)
    return await run_demo(settings, once=args.once, portal=PortalName(args.portal), mfa=args.mfa)
