"""ReconcileSettlementsWorkflow's own logic on the time-skipping server, its activities
replaced by fakes under the real names: chargebacks marked once across runs, and a typed
failure of the SFTP fetch ends the run typed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.audit import AuditReceipt, AuditRecord
from models.errors import HostKeyMismatch
from models.events import Event
from models.money import Money
from models.offerings import OfferCheck
from models.payments import StoredArtifact
from models.reconciliation import (
    DeliveryLookup,
    FetchedSettlements,
    PostedLedger,
    PostedMoney,
    PostedMoneyLookup,
    ReconcileRequest,
    ReconcileResult,
    ReportArtifacts,
    ReportInput,
    SettlementDelivery,
    SftpFetch,
)
from models.settlement_records import RecordedReconciliation, RecordReconciliation
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)
from workflows.reconcile_settlements import ReconcileSettlementsWorkflow

DAY = date(2026, 12, 2)


def _artifact(key: str) -> StoredArtifact:
    return StoredArtifact(key=key, location=key, sha256="0" * 64, size_bytes=1,
                          content_type="text/csv")  # fmt: skip


class FakeReconciliation:
    def __init__(self, known_chargebacks: list[str], sftp_error: Exception | None = None) -> None:
        self.known = known_chargebacks
        self.sftp_error = sftp_error
        self.audit: list[AuditRecord] = []
        self.events: list[Event] = []
        self.recorded: list[RecordReconciliation] = []

    @activity.defn(name="check_offered")
    async def check_offered(self, check: OfferCheck) -> None:
        return None

    @activity.defn(name="settlement_delivery")
    async def settlement_delivery(self, lookup: DeliveryLookup) -> SettlementDelivery:
        return SettlementDelivery.SFTP

    @activity.defn(name="fetch_settlement_files")
    async def fetch_settlement_files(self, request: SftpFetch) -> FetchedSettlements:
        if self.sftp_error is not None:
            raise self.sftp_error
        details = [
            SettlementDetail(identifier=number, type=kind, amount=Money(amount_cents=cents),
                             date=DAY, reverses=reverses)
            for number, kind, cents, reverses in (
                ("HP24-A", SettlementDetailType.PAYMENT, 1000, None),
                ("CB-HP24-A", SettlementDetailType.CHARGEBACK, -1000, "HP24-A"),
            )
        ]  # fmt: skip
        batch = SettlementBatch(identifier="HPB-20261202", status=SettlementStatus.SETTLED,
                                period_start=DAY, period_end=DAY,
                                payment_amount=Money(amount_cents=0), details=details)  # fmt: skip
        return FetchedSettlements(batches=[batch], files=[_artifact(f"{request.storage_prefix}/f")])

    @activity.defn(name="read_posted_money")
    async def read_posted_money(self, lookup: PostedMoneyLookup) -> PostedLedger:
        posted = PostedMoney(action="payment.posted", number="HP24-A", amount_cents=1000,
                             posted_at=datetime(2026, 12, 2, 12, tzinfo=UTC))  # fmt: skip
        return PostedLedger(money=[posted], known_chargebacks=self.known)

    @activity.defn(name="record")
    async def record(self, record: AuditRecord) -> AuditReceipt:
        self.audit.append(record)
        return AuditReceipt(seq=len(self.audit), hash="0" * 64, already_recorded=False)

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        self.events.append(event)
        return True

    @activity.defn(name="write_reconciliation_report")
    async def write_reconciliation_report(self, request: ReportInput) -> ReportArtifacts:
        return ReportArtifacts(csv=_artifact("r.csv"), summary_json=_artifact("s.json"))

    @activity.defn(name="record_reconciliation")
    async def record_reconciliation(self, run: RecordReconciliation) -> RecordedReconciliation:
        self.recorded.append(run)
        return RecordedReconciliation(report_id="recon_1")

    def activities(self) -> list[Callable[..., Any]]:
        return [self.check_offered, self.settlement_delivery, self.fetch_settlement_files,
                self.read_posted_money, self.record, self.raise_event,
                self.write_reconciliation_report, self.record_reconciliation]  # fmt: skip


async def _run(env: WorkflowEnvironment, fake: FakeReconciliation) -> ReconcileResult:
    task_queue = f"reconcile-tests-{uuid.uuid4()}"
    async with Worker(env.client, task_queue=task_queue,
                      workflows=[ReconcileSettlementsWorkflow],
                      activities=fake.activities()):  # fmt: skip
        return await env.client.execute_workflow(
            ReconcileSettlementsWorkflow.run,
            ReconcileRequest(connection_id="c1", idempotency_key=uuid.uuid4().hex),
            id=f"reconcile-{uuid.uuid4().hex}",
            task_queue=task_queue,
        )


async def test_a_new_chargeback_is_marked_and_raised_once_a_known_one_not_again(
    env: WorkflowEnvironment,
) -> None:
    first = FakeReconciliation(known_chargebacks=[])
    result = await _run(env, first)
    assert result.chargebacks_marked == ["CB-HP24-A"]
    assert [r.details["payment_number"] for r in first.audit] == ["HP24-A"]
    assert [e.data["chargeback_number"] for e in first.events] == ["CB-HP24-A"]
    # The read model gets the run's batches, report and artifacts, with what it marked.
    [recorded] = first.recorded
    assert (recorded.report.summary, recorded.chargebacks_marked) == (result.summary, ["CB-HP24-A"])
    assert recorded.artifacts == result.report and recorded.batches

    again = FakeReconciliation(known_chargebacks=["CB-HP24-A"])
    result = await _run(env, again)
    assert result.chargebacks_marked == [] and again.audit == [] and again.events == []
    assert result.summary.chargeback == 1 and result.summary.matched == 1


async def test_a_host_key_mismatch_fails_the_run_typed(env: WorkflowEnvironment) -> None:
    fake = FakeReconciliation([], sftp_error=HostKeyMismatch("not the configured host key"))
    with pytest.raises(WorkflowFailureError) as failed:
        await _run(env, fake)
    assert getattr(failed.value.cause, "type", None) == "HostKeyMismatch"
    assert fake.audit == [] and fake.recorded == []
