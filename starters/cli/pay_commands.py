"""``billbridge pay``: post a payment on a statement and follow it to its receipt."""

from __future__ import annotations

import argparse
import uuid

from models.errors import InvalidInput
from models.money import parse_amount_to_cents
from models.payments import PostPaymentRequest
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say, show_payment, show_progress


def register(commands: Commands) -> None:
    pay = commands.add_parser("pay", help="post a payment on a statement and wait for it")
    pay.add_argument("--connection", required=True, help="connection id")
    pay.add_argument("--statement", required=True, help="the portal's statement id")
    pay.add_argument("--amount", required=True, help="amount in dollars, e.g. 25.00")
    pay.add_argument("--method", required=True, help="payment-method token (never a card number)")
    pay.add_argument(
        "--idempotency-key",
        help="reuse to make a retry safe; a new random key is made (and printed) if omitted",
    )
    pay.add_argument("--no-wait", action="store_true", help="start it and print the id only")
    pay.set_defaults(handler=pay_statement)


def payment_request(args: argparse.Namespace) -> PostPaymentRequest:
    """The request the arguments describe, checked as the client will check it."""
    try:
        amount_cents = parse_amount_to_cents(args.amount)
    except ValueError:
        raise InvalidInput(f"--amount must look like 25.00 (got {args.amount!r})") from None
    request = PostPaymentRequest(
        connection_id=args.connection,
        statement_id=args.statement,
        amount_cents=amount_cents,
        payment_method_token=args.method,
        idempotency_key=args.idempotency_key or uuid.uuid4().hex,
    )
    # Here as well as in the client: a refused amount or id must not wait on a server.
    request.validate_for_posting()
    return request


async def pay_statement(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    request = payment_request(args)
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_payment(request)
    say(f"Payment workflow {handle.workflow_id} (idempotency key {request.idempotency_key})")
    if args.no_wait:
        return 0
    result = await handle.result(show_progress)
    show_payment(result)
    return 0
