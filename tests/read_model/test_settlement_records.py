"""What a finished reconciliation records: batches with their totals, reports with their
counts and the lines a person must look at, once per run, per tenant, sealed at rest."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from models.connections import PortalName
from models.money import Money
from models.pages import PageRequest
from models.payments import StoredArtifact
from models.reconciliation import MatchStatus, PostedMoney, ReportArtifacts
from models.settlement_records import RecordReconciliation
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)
from stores.read_model.migrate import upgrade
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.settlement_records import SettlementRecordNotFound, SettlementRecords
from stores.read_model.tenant_connections import TenantConnections
from workflows.settlement_matching import reconcile

AT = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
DAY = date(2026, 12, 1)
ACCOUNT, REFERENCE = "A-1001-PATIENT", "BB-0123456789abcdef"


def _detail(number: str, kind: SettlementDetailType, cents: int) -> SettlementDetail:
    return SettlementDetail(
        identifier=number, type=kind, amount=Money(amount_cents=cents), date=DAY,
        account=ACCOUNT, reference=REFERENCE,
    )  # fmt: skip


def _batch(
    identifier: str, status: SettlementStatus, *details: SettlementDetail
) -> SettlementBatch:
    return SettlementBatch(
        identifier=identifier, status=status, period_start=DAY, period_end=DAY,
        payment_date=DAY + timedelta(days=1) if status is SettlementStatus.SETTLED else None,
        payment_amount=Money(amount_cents=sum(d.amount.amount_cents for d in details)),
        details=list(details),
    )  # fmt: skip


def _run(connection_id: str, run_id: str, batches: list[SettlementBatch]) -> RecordReconciliation:
    posted = [
        PostedMoney(action="payment.posted", number="CF-1", amount_cents=1000, posted_at=AT),
        PostedMoney(action="payment.posted", number="CF-2", amount_cents=1100,
                    posted_at=AT - timedelta(days=1)),
    ]  # fmt: skip
    report = reconcile(connection_id, batches, posted, AT)
    prefix = f"reconciliation/{connection_id}/{run_id}"
    artifacts = ReportArtifacts(
        csv=StoredArtifact(key=f"{prefix}/report.csv", location="file://r", sha256="0" * 64,
                           size_bytes=10, content_type="text/csv"),
        summary_json=StoredArtifact(key=f"{prefix}/summary.json", location="file://s",
                                    sha256="0" * 64, size_bytes=10,
                                    content_type="application/json"),
    )  # fmt: skip
    return RecordReconciliation(
        connection_id=connection_id, workflow_id=f"reconcile-{run_id}", run_id=run_id,
        batches=batches, report=report, artifacts=artifacts, chargebacks_marked=[],
    )  # fmt: skip


@pytest.fixture
def records(engine: Engine) -> SettlementRecords:
    upgrade(engine)
    connections = TenantConnections(engine)
    connections.add("acme", "conn_a", PortalName.PATIENTCO, "https://pco.example")
    connections.add("globex", "conn_g", PortalName.PATIENTCO, "https://pco.example")
    return SettlementRecords(engine, RowSealer(os.urandom(32)))


SETTLED = _batch(
    "B-20261201", SettlementStatus.SETTLED,
    _detail("CF-1", SettlementDetailType.PAYMENT, 1000),
    _detail("RF-9", SettlementDetailType.REFUND, -300),
    _detail("CB-7", SettlementDetailType.CHARGEBACK, -500),
)  # fmt: skip
OPEN = _batch(
    "B-20261202", SettlementStatus.OPEN, _detail("CF-3", SettlementDetailType.PAYMENT, 700)
)


def test_a_run_records_its_batches_totals_and_report_counts(records: SettlementRecords) -> None:
    recorded = records.record("acme", _run("conn_a", "run-1", [SETTLED, OPEN]), AT)
    page = records.list_batches("acme", PageRequest())
    assert [b.id for b in page.data] == recorded.batch_ids and not page.has_more
    settled = page.data[0]
    assert (settled.batch_id, settled.status, settled.batch_date) == (
        "B-20261201", SettlementStatus.SETTLED, DAY,
    )  # fmt: skip
    totals = (settled.net_amount.amount_cents, settled.payments_cents, settled.refunds_cents,
              settled.chargebacks_cents, settled.transaction_count)  # fmt: skip
    assert totals == (200, 1000, -300, -500, 3)
    assert settled.transactions is None  # lists leave them out
    shown = records.get_batch("acme", settled.id)
    assert [t.identifier for t in shown.transactions or []] == ["CF-1", "RF-9", "CB-7"]

    assert recorded.report_id is not None
    report = records.get_report("acme", recorded.report_id)
    assert report.counts.model_dump() == {
        "matched": 1, "missing": 1, "amount_differs": 0, "unexpected": 1, "chargeback": 1,
        "pending": 0,
    }  # fmt: skip
    assert not report.clean and report.run_id == "reconcile-run-1"
    assert {line.status for line in report.needs_review or []} == {
        MatchStatus.MISSING, MatchStatus.UNEXPECTED, MatchStatus.CHARGEBACK,
    }  # fmt: skip
    assert records.report_csv_key("acme", report.id) == "reconciliation/conn_a/run-1/report.csv"
    assert records.report_of_run("acme", "reconcile-run-1") == report.id
    assert records.list_reports("acme", PageRequest()).data[0].needs_review is None


def test_a_retried_run_records_once_and_a_later_run_updates_its_batches(
    records: SettlementRecords,
) -> None:
    first = records.record("acme", _run("conn_a", "run-1", [OPEN]), AT)
    retried = records.record("acme", _run("conn_a", "run-1", [OPEN]), AT)
    assert retried == first
    closed = OPEN.model_copy(update={"status": SettlementStatus.SETTLED})
    later = records.record("acme", _run("conn_a", "run-2", [closed]), AT + timedelta(days=1))
    assert later.batch_ids == first.batch_ids  # the same batch, updated in place
    [batch] = records.list_batches("acme", PageRequest()).data
    assert batch.status is SettlementStatus.SETTLED and batch.synced_at == AT + timedelta(days=1)
    reports = records.list_reports("acme", PageRequest(limit=1))
    assert [r.id for r in reports.data] == [first.report_id] and reports.has_more
    after = records.list_reports("acme", PageRequest(starting_after=first.report_id))
    assert [r.id for r in after.data] == [later.report_id]


def test_another_tenant_sees_nothing_and_connection_filters(records: SettlementRecords) -> None:
    recorded = records.record("acme", _run("conn_a", "run-1", [SETTLED]), AT)
    records.record("globex", _run("conn_g", "run-2", [OPEN]), AT)
    assert recorded.report_id is not None
    with pytest.raises(SettlementRecordNotFound):
        records.get_batch("globex", recorded.batch_ids[0])
    with pytest.raises(SettlementRecordNotFound):
        records.get_report("globex", recorded.report_id)
    with pytest.raises(SettlementRecordNotFound):
        records.report_csv_key("globex", recorded.report_id)
    assert records.report_of_run("globex", "reconcile-run-1") is None
    only = records.list_batches("acme", PageRequest(), connection_id="conn_a").data
    assert [b.connection_id for b in only] == ["conn_a"]
    assert records.list_batches("acme", PageRequest(), connection_id="conn_g").data == []
    assert len(records.list_reports("globex", PageRequest(), connection_id="conn_g").data) == 1


def test_transactions_and_lines_are_sealed_at_rest(
    records: SettlementRecords, engine: Engine
) -> None:
    records.record("acme", _run("conn_a", "run-1", [SETTLED]), AT)
    dumped = ""
    with engine.connect() as connection:
        for table in ("settlement_batches", "reconciliation_reports"):
            dumped += repr(connection.execute(text(f"SELECT * FROM {table}")).all())
    assert "-300" in dumped and "report.csv" in dumped  # totals and keys are plain
    for secret in (ACCOUNT, REFERENCE, "CF-1", "RF-9", "CB-7", "B-20261201"):
        assert secret not in dumped, secret
