"""``billbridge refund``: void or refund a posted payment and follow it to the portal's answer."""

from __future__ import annotations

import argparse
import uuid

from models.errors import InvalidInput
from models.money import parse_amount_to_cents
from models.refunds import RefundReason, RefundRequest
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say, show_progress, show_refund


def register(commands: Commands) -> None:
    refund = commands.add_parser(
        "refund",
        help="void a payment before it settles, or refund it (in full or in part) after",
    )
    refund.add_argument("--connection", required=True, help="connection id")
    refund.add_argument(
        "--payment", required=True, help="the payment's confirmation number (transaction id)"
    )
    refund.add_argument(
        "--amount", help="amount in dollars, e.g. 10.00; omitted: all that is left of it"
    )
    refund.add_argument(
        "--reason",
        choices=[reason.value for reason in RefundReason],
        default=RefundReason.PATIENT_REQUEST.value,
        help="reason code (mapped to the portal's own list)",
    )
    refund.add_argument(
        "--idempotency-key",
        help="reuse to make a retry safe; a new random key is made (and printed) if omitted",
    )
    refund.add_argument("--no-wait", action="store_true", help="start it and print the id only")
    refund.set_defaults(handler=refund_payment)


def refund_request(args: argparse.Namespace) -> RefundRequest:
    """The request the arguments describe, checked as the client will check it."""
    amount_cents = None
    if args.amount is not None:
        try:
            amount_cents = parse_amount_to_cents(args.amount)
        except ValueError:
            raise InvalidInput(f"--amount must look like 10.00 (got {args.amount!r})") from None
    request = RefundRequest(
        connection_id=args.connection,
        confirmation_number=args.payment,
        amount_cents=amount_cents,
        reason=RefundReason(args.reason),
        idempotency_key=args.idempotency_key or uuid.uuid4().hex,
    )
    # Here as well as in the client: a refused amount or id must not wait on a server.
    request.validate_for_refund()
    return request


async def refund_payment(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    request = refund_request(args)
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_refund(request)
    say(f"Refund workflow {handle.workflow_id} (idempotency key {request.idempotency_key})")
    if args.no_wait:
        return 0
    show_refund(await handle.result(show_progress))
    return 0
