"""ReconcileSettlementsWorkflow through a real Temporal server, worker, Chromium, the sandbox
portals and HealthPay24's real SFTP server: payments posted through BillBridge first, then a
settlement export the sandbox got wrong on purpose."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import uuid
from datetime import time

import pytest
from temporalio.worker import Worker

from models.audit import AuditAction
from models.connections import PortalName
from models.errors import NotOffered
from models.events import EventType
from models.reconciliation import MatchStatus, ReconcileRequest, ReconcileResult, ReconcileStep
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from sandbox.healthpay24 import settlement as hp24_settlement
from sandbox.patientco import settlement as patientco_settlement
from security.audit_log import open_audit_log
from starters.client import BillBridgeClient
from starters.client.reconciliation import schedule_id
from stores.artifacts import ArtifactStore
from stores.connections import set_settlement_sftp
from stores.events import EventLog
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import payment_for
from tests.replay.recording import record_history

pytestmark = pytest.mark.e2e
BOTH = pytest.mark.parametrize(
    "portal_under_test", [PortalName.PATIENTCO, PortalName.HEALTHPAY24], indirect=True
)
CUTOFF_HOURS = {
    PortalName.PATIENTCO: patientco_settlement.CUTOFF.at.hour,
    PortalName.HEALTHPAY24: hp24_settlement.CUTOFF.at.hour,
}


def reconcile_request(connection_id: str) -> ReconcileRequest:
    return ReconcileRequest(connection_id=connection_id, idempotency_key=uuid.uuid4().hex)


def connect(portal: PortalUnderTest, connections: Connections, settings: Settings) -> str:
    connection_id = connections.add(portal.sandbox.demo_username)
    if portal.name is PortalName.HEALTHPAY24:
        # The sandbox's SFTP login, host and host key, kept as one secret by reference.
        set_settlement_sftp(settings, connection_id, portal.admin.sftp_login().model_dump_json())
    return connection_id


async def post_payments(
    client: BillBridgeClient, portal: PortalUnderTest, connection_id: str, cents: list[int]
) -> list[str]:
    numbers = []
    username = portal.sandbox.demo_username
    for amount in cents:  # one after the other: they share the connection's session
        result = await client.pay(payment_for(portal.admin, connection_id, username, amount))
        numbers.append(result.payment.confirmation_number)
    return numbers


def past_the_cutoff(portal: PortalUnderTest) -> None:
    now = portal.admin.clock().now
    cutoff = now.replace(hour=CUTOFF_HOURS[portal.name], minute=0, second=0, microsecond=0)
    portal.admin.advance_clock((cutoff - now).total_seconds() % 86400 + 5)


@BOTH
async def test_reconciliation_finds_a_dropped_payment_an_altered_amount_and_a_chargeback(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
    artifact_store: ArtifactStore,
) -> None:
    admin: SandboxAdmin = portal_under_test.admin
    connection_id = connect(portal_under_test, connections, settings)
    charged_back, dropped, altered = await post_payments(
        client, portal_under_test, connection_id, [1000, 1100, 1200]
    )
    if portal_under_test.name is PortalName.PATIENTCO:
        chargeback = admin.charge_back(charged_back)  # a real record against the payment
        admin.add_export_faults(drop=[dropped], alter={altered: 1250})
    else:
        chargeback = f"CB-{charged_back}"
        admin.add_export_faults(drop=[dropped], alter={altered: 1250}, chargeback=[charged_back])
    past_the_cutoff(portal_under_test)  # the batch closes at the cutoff on the sandbox clock

    seen: list[ReconcileStep] = []
    handle = await client.start_reconciliation(reconcile_request(connection_id))
    result = await handle.result(lambda progress: seen.append(progress.step))
    delivery = "sftp" if portal_under_test.name is PortalName.HEALTHPAY24 else "browser-export"
    await record_history(handle.temporal_handle, f"ReconcileSettlementsWorkflow--{delivery}")

    summary = result.summary
    lines = {line["number"]: line for line in _report_lines(artifact_store, result)}
    assert (summary.matched, summary.missing, summary.amount_differs, summary.chargeback,
            summary.unexpected, summary.pending) == (1, 1, 1, 1, 0, 0)  # fmt: skip
    assert lines[charged_back]["status"] == MatchStatus.MATCHED
    assert lines[dropped]["status"] == MatchStatus.MISSING
    shown = lines[altered]
    assert (shown["status"], shown["expected_cents"], shown["settled_cents"]) == (
        MatchStatus.AMOUNT_DIFFERS, "1200", "1250",
    )  # fmt: skip
    assert (lines[chargeback]["status"], lines[chargeback]["payment_number"]) == (
        MatchStatus.CHARGEBACK, charged_back,
    )  # fmt: skip
    assert seen[-1] is ReconcileStep.COMPLETED  # progress is polled: fast steps may pass unseen
    assert result.chargebacks_marked == [chargeback]
    # The export is kept exactly as it came, encrypted; the summary is JSON.
    [kept] = result.settlement_files
    assert dropped not in artifact_store.get(kept.key).decode()
    assert json.loads(artifact_store.get(result.report.summary_json.key))["missing"] == 1

    # The chargeback marks the payment (audit trail) and raises an event, once.
    marks = [json.loads(line) for line in open_audit_log(settings).lines()]
    marks = [m for m in marks if m["action"] == AuditAction.PAYMENT_CHARGED_BACK
             and m["details"]["connection_id"] == connection_id]  # fmt: skip
    assert [m["details"]["payment_number"] for m in marks] == [charged_back]
    events = [e for e in EventLog(settings.events_dir).events(EventType.PAYMENT_CHARGED_BACK)
              if e.connection_id == connection_id]  # fmt: skip
    assert [e.data["chargeback_number"] for e in events] == [chargeback]

    # A second run reports the same, but marks nothing again.
    again = await client.start_reconciliation(reconcile_request(connection_id))
    second = await again.result()
    assert second.chargebacks_marked == [] and second.summary.chargeback == 1


def _report_lines(store: ArtifactStore, result: ReconcileResult) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(store.get(result.report.csv.key).decode())))


@pytest.mark.parametrize("portal_under_test", [PortalName.HEALTHPAY24], indirect=True)
async def test_the_daily_schedule_is_created_updated_and_triggered(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
) -> None:
    connection_id = connect(portal_under_test, connections, settings)
    [posted] = await post_payments(client, portal_under_test, connection_id, [500])
    past_the_cutoff(portal_under_test)

    created_id, created = await client.schedule_reconciliation(connection_id, time(6, 0))
    same_id, created_again = await client.schedule_reconciliation(connection_id, time(7, 30))
    assert (created_id, created, same_id, created_again) == (
        schedule_id(connection_id), True, schedule_id(connection_id), False,
    )  # fmt: skip
    schedule = client.temporal.get_schedule_handle(created_id)
    try:
        described = await schedule.describe()
        [calendar] = described.schedule.spec.calendars
        assert (calendar.hour[0].start, calendar.minute[0].start) == (7, 30)  # updated
        await schedule.trigger()
        workflow_id = await _first_scheduled_run(schedule)
        result = await client.temporal.get_workflow_handle(workflow_id).result()
        latest = await client.latest_reconciliation(connection_id)
        assert latest is not None and latest.summary.matched == 1
        assert latest.summary.connection_id == connection_id
        assert workflow_id.startswith(f"reconcile-{connection_id}-daily")
        assert result is not None and posted
    finally:
        await schedule.delete()


async def _first_scheduled_run(schedule: object) -> str:
    for _ in range(100):
        described = await schedule.describe()  # type: ignore[attr-defined]
        if described.info.recent_actions:
            workflow_id: str = described.info.recent_actions[0].action.workflow_id
            return workflow_id
        await asyncio.sleep(0.2)
    raise AssertionError("the schedule never started a run")


async def test_cedar_is_refused_with_not_offered_naming_the_portal(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
) -> None:
    connection_id = connections.add(portal_under_test.sandbox.demo_username)
    handle = await client.start_reconciliation(reconcile_request(connection_id))
    with pytest.raises(NotOffered, match="cedar does not offer settlement exports"):
        await handle.result()
    await record_history(handle.temporal_handle, "ReconcileSettlementsWorkflow--NotOffered")
    assert portal_under_test.admin.logins().successful == 0  # refused before any sign-in
