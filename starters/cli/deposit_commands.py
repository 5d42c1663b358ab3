"""``billbridge deposit``: collect an estimate's deposit and follow it until the hospital
bills the visit and applies it (days, on durable timers: ``--no-wait`` returns at once)."""

from __future__ import annotations

import argparse
import uuid

from models.deposits import EstimateDepositRequest
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say, show_deposit, show_progress


def register(commands: Commands) -> None:
    deposit = commands.add_parser(
        "deposit", help="pay an estimate's deposit and follow it until it is applied"
    )
    deposit.add_argument("--connection", required=True, help="connection id")
    deposit.add_argument("--estimate", required=True, help="the portal's estimate id")
    deposit.add_argument(
        "--method", required=True, help="payment-method token (never a card number)"
    )
    deposit.add_argument(
        "--follow-days", type=int, default=14,
        help="daily checks after the expected billing date before a person is asked to look",
    )  # fmt: skip
    deposit.add_argument(
        "--idempotency-key",
        help="reuse to make a retry safe; a new random key is made (and printed) if omitted",
    )
    deposit.add_argument("--no-wait", action="store_true", help="start it and print the id only")
    deposit.set_defaults(handler=collect_deposit)


def deposit_request(args: argparse.Namespace) -> EstimateDepositRequest:
    """The request the arguments describe, checked as the client will check it."""
    request = EstimateDepositRequest(
        connection_id=args.connection,
        estimate_id=args.estimate,
        payment_method_token=args.method,
        follow_days=args.follow_days,
        idempotency_key=args.idempotency_key or uuid.uuid4().hex,
    )
    # Here as well as in the client: refused input must not wait on a server.
    request.validate_for_deposit()
    return request


async def collect_deposit(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    request = deposit_request(args)
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_deposit(request)
    say(f"Deposit workflow {handle.workflow_id} (idempotency key {request.idempotency_key})")
    if args.no_wait:
        return 0
    result = await handle.result(show_progress)
    show_deposit(result)
    return 0
