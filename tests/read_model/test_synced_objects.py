"""What syncs record: stable ids across syncs, patient data sealed at rest, per tenant."""

from __future__ import annotations

import base64
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models.accounts import Account, Guarantor
from models.connections import PortalName
from models.money import Money
from models.pages import PageRequest
from models.payments import Payment
from models.settings import Settings
from models.statements import LineItem, Statement, StatementStatus
from stores.read_model.migrate import upgrade
from stores.read_model.sealed_rows import RowSealer, read_model_key
from stores.read_model.synced_objects import SyncedObjectNotFound, SyncedObjects
from stores.read_model.tenant_connections import TenantConnections
from stores.secrets import open_secret_store

NAME, MRN, BIRTH = "Rosalind Quimby", "MRN-0048817", date(1961, 4, 9)
DESCRIPTION = "Office visit, established patient"
SEEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _account(balance: int) -> Account:
    guarantor = Guarantor(identifier="P-77", name=NAME, birth_date=BIRTH, mrn=MRN)
    return Account(identifier="A-1001", guarantor=guarantor, balance=Money(amount_cents=balance))


def _statement(balance: int, items: int = 2) -> Statement:
    item = LineItem(
        service_date=date(2026, 10, 2), code="99213", code_system="CPT",
        description=DESCRIPTION, charge=Money(amount_cents=18000),
        patient_responsibility=Money(amount_cents=4000),
    )  # fmt: skip
    return Statement(
        statement_id="ST-100083", issued_on=date(2026, 11, 1), due_on=date(2026, 12, 1),
        total=Money(amount_cents=8000), balance=Money(amount_cents=balance),
        status=StatementStatus.ISSUED, account_number="A-1001", line_items=[item] * items,
    )  # fmt: skip


@pytest.fixture
def synced(engine: Engine) -> SyncedObjects:
    upgrade(engine)
    connections = TenantConnections(engine)
    connections.add("acme", "conn_a", PortalName.CEDAR, "https://cedar.example")
    connections.add("globex", "conn_g", PortalName.CEDAR, "https://cedar.example")
    return SyncedObjects(engine, RowSealer(os.urandom(32)))


def test_a_second_sync_updates_in_place_with_the_same_ids(synced: SyncedObjects) -> None:
    first = synced.record_accounts("acme", "conn_a", [_account(8000)], SEEN)
    later = SEEN + timedelta(hours=1)
    second = synced.record_accounts("acme", "conn_a", [_account(4000)], later)
    assert [a.id for a in first] == [a.id for a in second]
    page = synced.list_accounts("acme", PageRequest())
    assert len(page.data) == 1 and page.data[0].account.balance.amount_cents == 4000
    assert page.data[0].synced_at == later
    guarantors = synced.list_guarantors("acme", PageRequest()).data
    assert [g.id for g in guarantors] == [page.data[0].guarantor_id]
    assert guarantors[0].guarantor.mrn == MRN


def test_statements_keep_their_line_items_and_replace_them_on_resync(
    synced: SyncedObjects,
) -> None:
    made = synced.record_statement("acme", "conn_a", _statement(8000, items=2), SEEN)
    again = synced.record_statement("acme", "conn_a", _statement(4000, items=1), SEEN)
    assert made.id == again.id
    shown = synced.get_statement("acme", made.id)
    assert len(shown.statement.line_items) == 1
    assert shown.statement.line_items[0].description == DESCRIPTION
    assert shown.statement.balance.amount_cents == 4000
    with pytest.raises(SyncedObjectNotFound):
        synced.get_statement("globex", made.id)
    assert synced.list_statements("globex", PageRequest()).data == []


def test_payments_are_recorded_once_per_confirmation_number(synced: SyncedObjects) -> None:
    payment = Payment(
        confirmation_number="CF-88120", statement_id="ST-100083",
        amount=Money(amount_cents=2500), reference="BB-0123456789abcdef",
        method_last4="4242", posted_at=SEEN,
    )  # fmt: skip
    one = synced.record_payment("acme", "conn_a", payment, SEEN)
    two = synced.record_payment("acme", "conn_a", payment, SEEN + timedelta(minutes=5))
    page = synced.list_payments("acme", PageRequest())
    assert one.id == two.id and [p.id for p in page.data] == [one.id]
    assert page.data[0].payment == payment


def test_patient_data_is_sealed_at_rest(synced: SyncedObjects, engine: Engine) -> None:
    synced.record_accounts("acme", "conn_a", [_account(8000)], SEEN)
    synced.record_statement("acme", "conn_a", _statement(8000), SEEN)
    dumped = ""
    with engine.connect() as connection:
        for table in ("guarantors", "accounts", "statements", "line_items"):
            dumped += repr(connection.execute(text(f"SELECT * FROM {table}")).all())
    assert "8000" in dumped  # the amounts are plain, so the scan did read the rows
    for phi in (NAME, MRN, "1961", "P-77", "A-1001", "ST-100083", DESCRIPTION):
        assert phi not in dumped, phi


def test_the_read_model_key_is_made_once_in_the_secret_store(tmp_path: Path) -> None:
    store = open_secret_store(Settings(home=tmp_path))
    key = read_model_key(store)
    assert len(key) == 32 and read_model_key(open_secret_store(Settings(home=tmp_path))) == key
    assert base64.b64encode(key) not in (tmp_path / "secrets.json").read_bytes()
