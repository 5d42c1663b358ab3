"""Payments PostPaymentWorkflow records, on SQLite and PostgreSQL: posted (one row with
what a sync finds later) or failed, per tenant, never for a connection without one."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from models.connections import PortalName
from models.money import Money
from models.pages import PageRequest
from models.payments import Payment, PaymentRecord, StoredArtifact
from stores.read_model.migrate import upgrade
from stores.read_model.posted_payments import PostedPayments
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.synced_objects import SyncedObjects
from stores.read_model.tenant_connections import TenantConnections

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
PAYMENT = Payment(
    confirmation_number="CNF-77", statement_id="ST-1", amount=Money(amount_cents=1000),
    reference="BB-0123456789ABCDEF", method_last4="4242", posted_at=NOW,
)  # fmt: skip
RECEIPT = StoredArtifact(
    key="receipts/conn_a/CNF-77.pdf", location="/x", sha256="a" * 64, size_bytes=9,
    content_type="application/pdf",
)  # fmt: skip


def record(workflow_id: str, *, posted: bool, connection_id: str = "conn_a") -> PaymentRecord:
    return PaymentRecord(
        workflow_id=workflow_id, connection_id=connection_id, statement_id="ST-1",
        amount=Money(amount_cents=1000), reference="BB-0123456789ABCDEF", recorded_at=NOW,
        payment=PAYMENT if posted else None, receipt=RECEIPT if posted else None,
        failure_type=None if posted else "PaymentDeclined",
        failure_message=None if posted else "the processor declined the card",
    )  # fmt: skip


@pytest.fixture
def sealer() -> RowSealer:
    return RowSealer(os.urandom(32))


@pytest.fixture
def payments(engine: Engine, sealer: RowSealer) -> PostedPayments:
    upgrade(engine)
    TenantConnections(engine).add("acme", "conn_a", PortalName.CEDAR, "https://cedar.example")
    return PostedPayments(engine, sealer)


def test_a_posted_payment_is_one_row_with_its_receipt_and_sync_keeps_it(
    payments: PostedPayments, engine: Engine, sealer: RowSealer
) -> None:
    payment_id = payments.record(record("payment-acme.k1", posted=True))
    assert payment_id is not None
    assert payments.record(record("payment-acme.k1", posted=True)) == payment_id  # retried
    SyncedObjects(engine, sealer).record_payment("acme", "conn_a", PAYMENT, NOW)  # a sync
    found = payments.get("acme", payment_id)
    assert found is not None and found.payment == PAYMENT and found.status == "paid"
    assert found.record is not None and found.record.receipt == RECEIPT
    assert payments.by_workflow("acme", "payment-acme.k1") == found
    assert [p.id for p in payments.list("acme", PageRequest()).data] == [payment_id]
    assert payments.get("globex", payment_id) is None


def test_a_failed_attempt_is_a_failed_row_that_syncs_do_not_list(
    payments: PostedPayments, engine: Engine, sealer: RowSealer
) -> None:
    payment_id = payments.record(record("payment-acme.k2", posted=False))
    assert payment_id is not None
    found = payments.get("acme", payment_id)
    assert found is not None and found.status == "failed" and found.payment is None
    assert found.record is not None and found.record.failure_type == "PaymentDeclined"
    assert SyncedObjects(engine, sealer).list_payments("acme", PageRequest()).data == []


def test_a_connection_without_a_tenant_is_not_recorded(payments: PostedPayments) -> None:
    assert payments.record(record("payment-cli", posted=True, connection_id="cli-conn")) is None
