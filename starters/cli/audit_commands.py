"""``billbridge audit verify | export | pack``: checking and handing over the audit trail."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from models.errors import InvalidInput
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import complain, say

if TYPE_CHECKING:
    from security.audit_log import AuditLog


def register(commands: Commands) -> None:
    audit = commands.add_parser("audit", help="the audit trail: verify, export, audit packs")
    actions = audit.add_subparsers(dest="action", required=True)
    actions.add_parser(
        "verify", help="check the hash chain: exit 1 naming the first edited/deleted entry"
    ).set_defaults(handler=verify)
    export = actions.add_parser("export", help="print the entries as JSON lines")
    export.add_argument("--since", help="only entries at or after this ISO date/time (UTC)")
    export.add_argument("--workflow", help="only entries of this workflow id")
    export.set_defaults(handler=export_entries)
    pack = actions.add_parser(
        "pack", help="write the audit pack of one payment workflow into a directory"
    )
    pack.add_argument("workflow_id")
    pack.add_argument("--out", required=True, type=Path, help="directory to write into")
    pack.set_defaults(handler=write_pack)


def _log(settings: Settings) -> AuditLog:
    from security.audit_log import open_audit_log

    return open_audit_log(settings)


async def verify(args: argparse.Namespace, settings: Settings) -> int:
    report = _log(settings).verify()
    if report.problem is None:
        say(f"audit log OK: {report.entries} entries, chain intact to seq {report.last_seq}")
        if report.note:
            say(f"note: {report.note}")
        return 0
    where = f"seq {report.problem.seq}" if report.problem.seq is not None else "head"
    complain(f"audit log BROKEN at {where} ({report.problem.kind}): {report.problem.message}")
    return 1


async def export_entries(args: argparse.Namespace, settings: Settings) -> int:
    log = _log(settings)
    since = _parse_since(args.since) if args.since else None
    for line in log.entries(workflow_id=args.workflow, since=since):
        sys.stdout.buffer.write(line + b"\n")
    sys.stdout.flush()
    return 0


async def write_pack(args: argparse.Namespace, settings: Settings) -> int:
    from temporalio.service import RPCError

    from starters.cli.audit_pack import write_audit_pack
    from stores.artifacts import open_artifact_store
    from stores.secrets import open_secret_store
    from workers.temporal_client import connect

    log = _log(settings)
    store = open_artifact_store(settings, open_secret_store(settings))
    client = await connect(settings)
    try:
        manifest = await write_audit_pack(client, store, log, args.workflow_id, args.out)
    except RPCError as err:
        raise InvalidInput(f"no workflow {args.workflow_id!r} to pack ({err.message})") from None
    receipt = manifest["receipt"]
    once = manifest["once"]
    say(f"audit pack for {args.workflow_id} (run {manifest['run_id']}) written to {args.out}")
    if receipt is not None:
        state = "verified" if receipt["verified"] else "DOES NOT MATCH the stored bytes"
        say(f"receipt {receipt['key']}: sha256 {receipt['sha256']} {state}")
    say(
        f"post_payment completed {once['post_payment_completed']}x, "
        f"payment.posted entries {once['payment_posted_audit_entries']}: "
        + ("once, proved" if once["proved"] else "NOT proved once")
    )
    chain_ok = manifest["audit"]["chain"]["ok"]
    say("audit chain: " + ("intact" if chain_ok else "BROKEN (run billbridge audit verify)"))
    verified = receipt is None or receipt["verified"]
    return 0 if chain_ok and verified else 1


def _parse_since(text: str) -> datetime:
    try:
        since = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--since must be an ISO date or time (got {text!r})") from None
    return since if since.tzinfo else since.replace(tzinfo=UTC)
