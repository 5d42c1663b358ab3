"""``billbridge reconcile run|schedule|report``: settlement reconciliation per connection."""

from __future__ import annotations

import argparse
import uuid
from datetime import time

from models.errors import InvalidInput
from models.identifiers import refuse_personal_data_in_id
from models.reconciliation import ReconcileRequest, ReconcileResult
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say, show_progress


def register(commands: Commands) -> None:
    reconcile = commands.add_parser(
        "reconcile", help="match settlement exports against what BillBridge posted"
    )
    actions = reconcile.add_subparsers(dest="reconcile_action", required=True)

    run = actions.add_parser("run", help="reconcile now and wait for the report")
    run.add_argument("--connection", required=True, help="connection id")
    run.add_argument("--idempotency-key", help="reuse to make a retry safe; random if omitted")
    run.add_argument("--no-wait", action="store_true", help="start it and print the id only")
    run.set_defaults(handler=run_reconciliation)

    schedule = actions.add_parser("schedule", help="create or update the daily reconciliation")
    schedule.add_argument("--connection", required=True, help="connection id")
    schedule.add_argument("--at", default="06:00", help="time of day, UTC (HH:MM); 06:00")
    schedule.set_defaults(handler=schedule_reconciliation)

    report = actions.add_parser("report", help="print the latest reconciliation's summary")
    report.add_argument("--connection", required=True, help="connection id")
    report.set_defaults(handler=show_latest_report)


def reconcile_request(args: argparse.Namespace) -> ReconcileRequest:
    request = ReconcileRequest(
        connection_id=args.connection, idempotency_key=args.idempotency_key or uuid.uuid4().hex
    )
    request.validate_for_reconciling()  # before any server is dialled
    return request


def time_of_day(text: str) -> time:
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except ValueError:
        raise InvalidInput(f"--at must be a UTC time of day as HH:MM (got {text!r})") from None


async def run_reconciliation(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    request = reconcile_request(args)
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_reconciliation(request)
    say(f"Reconciliation workflow {handle.workflow_id} (idempotency key {request.idempotency_key})")
    if args.no_wait:
        return 0
    show_reconciliation(await handle.result(show_progress))
    return 0


async def schedule_reconciliation(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    refuse_personal_data_in_id(args.connection, "connection_id")
    at = time_of_day(args.at)
    client = await BillBridgeClient.connect(settings)
    schedule_id, created = await client.schedule_reconciliation(args.connection, at)
    verb = "Created" if created else "Updated"
    say(f"{verb} schedule {schedule_id}: reconcile {args.connection} daily at {at:%H:%M} UTC")
    return 0


async def show_latest_report(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    refuse_personal_data_in_id(args.connection, "connection_id")
    client = await BillBridgeClient.connect(settings)
    result = await client.latest_reconciliation(args.connection)
    if result is None:
        say(f"No reconciliation of {args.connection} has completed yet")
        return 1
    show_reconciliation(result)
    return 0


def show_reconciliation(result: ReconcileResult) -> None:
    summary = result.summary
    say(f"Reconciled {summary.connection_id} at {summary.reconciled_at:%Y-%m-%d %H:%M} UTC")
    say(f"  {summary.describe()}")
    say(f"  report: {result.report.csv.location}")
    say(f"  summary: {result.report.summary_json.location}")
    if result.chargebacks_marked:
        say(f"  chargebacks marked: {', '.join(result.chargebacks_marked)}")
    say("  clean" if summary.clean else "  needs review")
