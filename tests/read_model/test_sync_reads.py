"""What the sync workflow writes and the API reads: first sightings, unchanged statements
skipped, PDFs and estimates kept, patients summed, lists narrowed, tenants apart."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.accounts import Account, Guarantor
from models.connections import PortalName
from models.estimates import Estimate, EstimateLine, EstimateStatus
from models.money import Money
from models.pages import PageRequest
from models.statements import LineItem, Statement, StatementStatus, StatementSummary
from models.synced import SyncedFilter
from models.vendor_extensions import PatientcoAccountExtension
from stores.read_model.database import open_engine
from stores.read_model.migrate import upgrade
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.synced_objects import SyncedObjectNotFound, SyncedObjects
from stores.read_model.synced_reads import SyncedReads
from stores.read_model.tenant_connections import TenantConnections

SEEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
LATER = SEEN + timedelta(hours=1)


def _accounts() -> list[Account]:
    guarantor = Guarantor(identifier="G-1", name="Ada Quill", mrn="MRN-1")
    extension = PatientcoAccountExtension(patient_mrns=("MRN-1", "MRN-2"))
    return [
        Account(identifier="A-1", guarantor=guarantor, balance=Money(amount_cents=8000),
                extension=extension),
        Account(identifier="A-2", guarantor=guarantor, balance=Money(amount_cents=0)),
    ]  # fmt: skip


def _summary(statement_id: str, balance: int) -> StatementSummary:
    return StatementSummary(
        statement_id=statement_id, issued_on=date(2026, 11, 1), due_on=date(2026, 12, 1),
        total=Money(amount_cents=8000), balance=Money(amount_cents=balance),
        status=StatementStatus.ISSUED,
    )  # fmt: skip


def _statement(summary: StatementSummary, account: str) -> Statement:
    item = LineItem(
        service_date=date(2026, 10, 2), code="99213", code_system="CPT",
        description="Office visit", charge=Money(amount_cents=8000),
        patient_responsibility=Money(amount_cents=8000),
    )  # fmt: skip
    return Statement(**summary.model_dump(), account_number=account, line_items=[item])


def _estimate() -> Estimate:
    line = EstimateLine(
        code="70553", code_system="CPT", description="MRI brain",
        expected_charge=Money(amount_cents=250000),
        patient_responsibility=Money(amount_cents=40000),
    )  # fmt: skip
    return Estimate(
        identifier="E-9", status=EstimateStatus.ACTIVE, service_date=date(2026, 12, 20),
        account="A-1", lines=[line], patient_responsibility=Money(amount_cents=40000),
        deposit_due=Money(amount_cents=10000),
    )  # fmt: skip


@pytest.fixture
def stores(engine: Engine) -> tuple[SyncedObjects, SyncedReads, TenantConnections]:
    upgrade(engine)
    connections = TenantConnections(engine)
    connections.add("acme", "conn_a", PortalName.PATIENTCO, "https://patientco.example")
    connections.add("globex", "conn_g", PortalName.PATIENTCO, "https://patientco.example")
    objects = SyncedObjects(engine, RowSealer(os.urandom(32)))
    return objects, SyncedReads(engine, objects), connections


def test_a_sync_is_read_back_narrowed_summed_and_per_tenant(
    stores: tuple[SyncedObjects, SyncedReads, TenantConnections],
) -> None:
    objects, reads, connections = stores
    accounts = objects.record_accounts("acme", "conn_a", _accounts(), SEEN)
    listed = _summary("ST-1", 8000)
    made, created = objects.sync_statement(
        "acme", "conn_a", _statement(listed, "A-1"), SEEN, listed
    )
    again, created_again = objects.sync_statement(
        "acme", "conn_a", _statement(listed, "A-1"), LATER, listed
    )
    assert created and not created_again and made.id == again.id
    assert again.account_id == accounts[0].id and not again.pdf_available
    [(estimate, new)] = objects.record_estimates("acme", "conn_a", [_estimate()], SEEN)
    assert new and estimate.account_id == accounts[0].id

    [patient] = reads.list_patients("acme", SyncedFilter(), PageRequest()).data
    assert patient.totals.balance_cents == 8000 and patient.totals.accounts_with_balance == 1
    assert patient.totals.account_ids == [a.id for a in accounts]
    assert patient.totals.patients_covered == 2 and patient.totals.autopay_enrolled is None
    by_patient = SyncedFilter(patient_id=patient.guarantor.id)
    assert [s.id for s in reads.list_statements("acme", by_patient, PageRequest()).data] == [
        made.id
    ]
    by_other_account = SyncedFilter(account_id=accounts[1].id)
    assert reads.list_statements("acme", by_other_account, PageRequest()).data == []
    assert len(reads.list_accounts("acme", by_patient, PageRequest()).data) == 2
    assert (
        reads.list_estimates("acme", SyncedFilter(connection_id="conn_g"), PageRequest()).data == []
    )
    assert reads.get_estimate("acme", estimate.id).estimate.deposit_due.amount_cents == 10000
    assert reads.get_statement("acme", made.id).statement.line_items[0].code == "99213"

    for read in (reads.get_patient, reads.get_account, reads.get_statement, reads.get_estimate):
        with pytest.raises(SyncedObjectNotFound):
            read("globex", {
                reads.get_patient: patient.guarantor.id, reads.get_account: accounts[0].id,
                reads.get_statement: made.id, reads.get_estimate: estimate.id,
            }[read])  # fmt: skip
    assert reads.list_patients("globex", SyncedFilter(), PageRequest()).data == []

    assert connections.tenant_of("conn_a") == "acme" and connections.tenant_of("conn_x") is None
    connections.mark_synced("conn_a", LATER)
    assert connections.get("acme", "conn_a").synced_at == LATER


def test_an_unchanged_list_row_is_not_read_again_until_its_pdf_is_kept(
    stores: tuple[SyncedObjects, SyncedReads, TenantConnections],
) -> None:
    objects, reads, _ = stores
    listed, changed = _summary("ST-1", 8000), _summary("ST-1", 5000)
    made, _ = objects.sync_statement("acme", "conn_a", _statement(listed, "A-1"), SEEN, listed)
    assert objects.touch_unchanged_statements("conn_a", [changed], LATER) == []
    assert objects.touch_unchanged_statements("conn_a", [listed], LATER, pdfs_offered=True) == []
    objects.keep_statement_pdf("acme", made.id, "statement-pdfs/conn_a/x.pdf")
    assert objects.touch_unchanged_statements("conn_a", [listed], LATER, pdfs_offered=True) == [
        "ST-1"
    ]
    shown = reads.get_statement("acme", made.id)
    assert shown.synced_at == LATER and shown.pdf_available
    assert reads.statement_pdf_key("acme", made.id) == "statement-pdfs/conn_a/x.pdf"
    with pytest.raises(SyncedObjectNotFound):
        objects.keep_statement_pdf("globex", made.id, "elsewhere")


def test_a_database_no_api_ever_migrated_has_no_tenant_for_any_connection(tmp_path: Path) -> None:
    # The worker asks after every event; a CLI-only set-up has an empty database file.
    empty = open_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    assert TenantConnections(empty).tenant_of("conn_a") is None
    upgrade(empty)
    assert TenantConnections(empty).tenant_of("conn_a") is None  # migrated, still nobody's
