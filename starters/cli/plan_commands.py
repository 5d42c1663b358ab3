"""``billbridge plan enroll | show | pause | resume | cancel | change``: payment plans.

A plan is named by the idempotency key it was enrolled with (its workflow is
``plan-<key>``). ``enroll`` follows the enrollment until the portal holds the plan, then
leaves the workflow following the drafts; the other commands query it or send an Update.
"""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from models.errors import InvalidInput
from models.identifiers import refuse_personal_data_in_id
from models.money import parse_amount_to_cents
from models.plan_enrollment import EnrollPlanRequest, PlanView, check_token_shape
from models.settings import Settings
from starters.cli.commands import Commands, require_connection_id
from starters.cli.console import say, show_progress

if TYPE_CHECKING:
    from starters.client import PlanHandle


def register(commands: Commands) -> None:
    plan = commands.add_parser("plan", help="payment plans with autopay: enroll, follow, change")
    actions = plan.add_subparsers(dest="action", required=True)

    enroll = actions.add_parser("enroll", help="enroll a statement's balance in a plan")
    enroll.add_argument("--connection", required=True, help="connection id")
    enroll.add_argument("--statement", required=True, help="the portal's statement id")
    enroll.add_argument("--installment", required=True, help="monthly amount, e.g. 100.00")
    enroll.add_argument("--method", required=True, help="autopay token (never a card number)")
    enroll.add_argument(
        "--idempotency-key",
        help="names the plan; a new random key is made (and printed) if omitted",
    )
    enroll.set_defaults(handler=enroll_plan)

    for name, text, handler in (
        ("show", "the plan: schedule, next draft, balance", show_plan),
        ("pause", "pause the autopay drafts (where the portal can)", pause_plan),
        ("resume", "resume a paused plan", resume_plan),
        ("cancel", "cancel the plan", cancel_plan),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("key", help="the plan's idempotency key")
        action.set_defaults(handler=handler)

    change = actions.add_parser("change", help="change the autopay token or the installment")
    change.add_argument("key", help="the plan's idempotency key")
    what = change.add_mutually_exclusive_group(required=True)
    what.add_argument("--method", help="a new autopay token")
    what.add_argument("--installment", help="a new monthly amount, e.g. 150.00")
    change.set_defaults(handler=change_plan)


def _cents(text: str, flag: str) -> int:
    try:
        return parse_amount_to_cents(text)
    except ValueError:
        raise InvalidInput(f"{flag} must look like 100.00 (got {text!r})") from None


def enrollment_request(args: argparse.Namespace) -> EnrollPlanRequest:
    """The request the arguments describe, checked as the client will check it."""
    require_connection_id(args.connection)
    request = EnrollPlanRequest(
        connection_id=args.connection,
        statement_id=args.statement,
        installment_amount_cents=_cents(args.installment, "--installment"),
        payment_method_token=args.method,
        idempotency_key=args.idempotency_key or uuid.uuid4().hex,
    )
    request.validate_for_enrollment()
    return request


async def _plan(args: argparse.Namespace, settings: Settings) -> PlanHandle:
    refuse_personal_data_in_id(args.key, "key")
    from starters.client import BillBridgeClient

    return (await BillBridgeClient.connect(settings)).plan(args.key)


async def enroll_plan(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    request = enrollment_request(args)
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_plan(request)
    say(f"Plan workflow {handle.workflow_id} (idempotency key {request.idempotency_key})")
    show_plan_view(await handle.enrolled(show_progress))
    return 0


async def show_plan(args: argparse.Namespace, settings: Settings) -> int:
    show_plan_view(await (await _plan(args, settings)).view())
    return 0


async def pause_plan(args: argparse.Namespace, settings: Settings) -> int:
    show_plan_view(await (await _plan(args, settings)).pause())
    return 0


async def resume_plan(args: argparse.Namespace, settings: Settings) -> int:
    show_plan_view(await (await _plan(args, settings)).resume())
    return 0


async def cancel_plan(args: argparse.Namespace, settings: Settings) -> int:
    show_plan_view(await (await _plan(args, settings)).cancel())
    return 0


async def change_plan(args: argparse.Namespace, settings: Settings) -> int:
    # Judged before a server is dialed; the workflow's validator judges it again by the rules.
    if args.method is not None:
        check_token_shape(args.method)
        handle = await _plan(args, settings)
        show_plan_view(await handle.change_payment_method(args.method))
    else:
        cents = _cents(args.installment, "--installment")
        if cents <= 0:
            raise InvalidInput("--installment must be more than zero")
        handle = await _plan(args, settings)
        show_plan_view(await handle.change_installment_amount(cents))
    return 0


def show_plan_view(view: PlanView) -> None:
    say(f"Status          : {view.progress.describe()}")
    plan = view.plan
    if plan is None:
        return
    say(f"Plan            : {plan.plan_id} ({plan.status}) on statement {plan.statement_id}")
    say(f"Installment     : {plan.installment_amount} a month, autopay on …{plan.method_last4}")
    say(f"Remaining       : {plan.remaining_balance}")
    say(f"Next draft      : {plan.next_draft_date.isoformat() if plan.next_draft_date else '-'}")
    say(f"Client reference: {plan.reference}")
    for installment in plan.installments:
        confirmation = (
            f"  {installment.confirmation_number}" if installment.confirmation_number else ""
        )
        say(
            f"  {installment.number:>3}  {installment.due_date.isoformat()}  "
            f"{installment.amount!s:>12}  {installment.status}"
            f"{f' ({installment.attempts} attempts)' if installment.attempts > 1 else ''}"
            f"  {confirmation}"
        )
