"""``billbridge payments waiting | retry | cancel``: payments held after their portal changed.

A changed portal (a page without what the adapter needs) holds the payment instead of
failing it; an operator looks at the screenshot and trace, then retries or cancels.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from models.errors import InvalidInput
from models.operator_hold import OperatorAction, OperatorDecisionAccepted
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say


def register(commands: Commands) -> None:
    payments = commands.add_parser(
        "payments", help="payments waiting for an operator after their portal changed"
    )
    actions = payments.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "waiting", help="held payments: workflow id, connection, step, what changed, evidence"
    ).set_defaults(handler=list_waiting)
    retry = actions.add_parser(
        "retry", help="run a held payment again from its session step (never pays twice)"
    )
    retry.add_argument("workflow_id", help="the payment's workflow id (payment-…)")
    retry.add_argument("--reason", help="for the audit trail")
    retry.set_defaults(handler=retry_payment)
    cancel = actions.add_parser("cancel", help="fail a held payment as PaymentCancelled")
    cancel.add_argument("workflow_id", help="the payment's workflow id (payment-…)")
    cancel.add_argument("--reason", help="for the audit trail")
    cancel.set_defaults(handler=cancel_payment)


async def list_waiting(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    held = await (await BillBridgeClient.connect(settings)).held_payments()
    if not held:
        say("no payments are waiting for an operator")
    for payment in held:
        hold = payment.hold
        age = datetime.now(UTC) - hold.held_since
        say(
            f"{payment.workflow_id}\t{hold.connection_id}\t{hold.failed_step}\t"
            f"{int(age.total_seconds())}s ago\t{hold.changed}\t"
            f"screenshot={hold.screenshot_key or '-'}\ttrace={hold.trace_key or '-'}"
        )
    return 0


async def retry_payment(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, OperatorAction.RETRY)


async def cancel_payment(args: argparse.Namespace, settings: Settings) -> int:
    return await _decide(args, settings, OperatorAction.CANCEL)


async def _decide(args: argparse.Namespace, settings: Settings, action: OperatorAction) -> int:
    from starters.client import BillBridgeClient

    if not args.workflow_id.strip():
        raise InvalidInput("name the payment's workflow id (billbridge payments waiting)")
    client = await BillBridgeClient.connect(settings)
    accepted: OperatorDecisionAccepted
    if action is OperatorAction.RETRY:
        accepted = await client.retry_payment(args.workflow_id, args.reason)
        say(
            f"{accepted.workflow_id}: retrying from the session step (held at "
            f"{accepted.failed_step})"
        )
    else:
        accepted = await client.cancel_payment(args.workflow_id, args.reason)
        say(f"{accepted.workflow_id}: cancelled (held at {accepted.failed_step})")
    return 0
