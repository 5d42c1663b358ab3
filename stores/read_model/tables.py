"""The read model's rows. Response models are separate (``models/``): a row is storage.

Every table has ``seq``, an integer assigned at insert and never changed, which lists are
ordered and paged by (``paging.py``), beside the public, prefixed ``id``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; SQLite keeps no zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored in the read model")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class TenantRow(Base):
    __tablename__ = "tenants"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        # A key's tenant and name are the audit trail's actor: they name one key for good.
        UniqueConstraint("tenant_id", "name", name="uq_api_keys_tenant_name"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    # Space-separated scope names: portable across SQLite and PostgreSQL, read whole.
    scopes: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the whole key (hex); the key has 256 bits of randomness, so no salt or
    # slow hash is needed to make the stored form useless to a reader of the database.
    secret_hash: Mapped[str] = mapped_column(String(64))
    last4: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ConnectionRow(Base):
    """A tenant's connection; its login and secrets are in the ConnectionRegistry and the
    secret store, which the worker reads, so the read model holds no credential at all."""

    __tablename__ = "connections"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    portal: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When a sync last read this connection's objects; None until the first one.
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class _Synced:
    """What every object read from a portal has: its tenant and connection, a sealed body
    (patient data, see sealed_rows.py) and when a sync last saw it."""

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime())


class GuarantorRow(_Synced, Base):
    __tablename__ = "guarantors"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_guarantors_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))


class AccountRow(_Synced, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_accounts_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))
    guarantor_id: Mapped[str] = mapped_column(ForeignKey("guarantors.id"))
    status: Mapped[str] = mapped_column(String(32))
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class StatementRow(_Synced, Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_statements_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    balance_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # The account it bills, where the portal names one the sync read (0006).
    account_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # Keyed hash of the list row last read: an equal row is not opened again.
    summary_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The statement's PDF in the artifact store (sealed), where the portal offers one.
    pdf_artifact_key: Mapped[str | None] = mapped_column(String(200), nullable=True)


class LineItemRow(_Synced, Base):
    __tablename__ = "line_items"
    __table_args__ = {"sqlite_autoincrement": True}

    statement_id: Mapped[str] = mapped_column(ForeignKey("statements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    patient_responsibility_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class PaymentRow(_Synced, Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_payments_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Set when PostPaymentWorkflow recorded the row (0004): its workflow id, and its sealed
    # PaymentRecord (the receipt's artifact key, or the typed failure). A row a sync found
    # on the portal has neither.
    workflow_id: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    outcome: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class OperationRow(Base):
    """An idempotency key of a tenant, the request it was first used for and its
    operation (0004). Inserted before anything starts: the unique constraint decides which
    of two concurrent requests with one key goes on, on SQLite and PostgreSQL alike."""

    __tablename__ = "operations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_operations_tenant_key"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(64))
    workflow_id: Mapped[str] = mapped_column(String(300), unique=True)
    connection_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # When the current claim was taken: a claim older than the bound is abandoned (the
    # process accepting it died) and another request with the same key may take it over.
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())


# --- webhooks (migration 0005) -------------------------------------------------------------


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    # Space-separated event types, or "all" (types added later included).
    event_types: Mapped[str] = mapped_column(String(1000))
    # The signing secret lives in the secret store; the row holds only where.
    secret_ref: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class EventRow(Base):
    """An event of a tenant's connection; ``source_id`` is the raising workflow's stable
    ``Event.id``, so recording it again (a retried activity) finds the same row."""

    __tablename__ = "events"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    source_id: Mapped[str] = mapped_column(String(512), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"))
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Ids and amounts only (models/events.py): the same data as the event log's line.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class WebhookDeliveryRow(Base):
    """One delivery workflow of one event to one endpoint, with its last attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    workflow_id: Mapped[str] = mapped_column(String(200), unique=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id"))
    webhook_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SettlementBatchRow(_Synced, Base):
    """A settlement batch as a reconciliation last fetched it; the transactions (numbers,
    references, accounts) are in the sealed body, totals and counts in plain columns."""

    __tablename__ = "settlement_batches"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_settlement_batches_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    batch_date: Mapped[date] = mapped_column(Date)
    payment_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    net_cents: Mapped[int] = mapped_column(BigInteger)
    payments_cents: Mapped[int] = mapped_column(BigInteger)
    refunds_cents: Mapped[int] = mapped_column(BigInteger)
    chargebacks_cents: Mapped[int] = mapped_column(BigInteger)
    transaction_count: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))


class ReconciliationReportRow(_Synced, Base):
    """One finished reconciliation run: its counts per outcome in plain columns, its lines
    sealed in the body, its CSV and JSON artifacts by key (the files stay encrypted in the
    artifact store)."""

    __tablename__ = "reconciliation_reports"
    __table_args__ = (
        # A retried recording activity finds its row again instead of adding a second.
        UniqueConstraint("workflow_id", "run_id", name="uq_reconciliation_reports_run"),
        {"sqlite_autoincrement": True},
    )

    workflow_id: Mapped[str] = mapped_column(String(255), index=True)
    run_id: Mapped[str] = mapped_column(String(64))
    reconciled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    settled_through: Mapped[date | None] = mapped_column(Date, nullable=True)
    matched: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)
    amount_differs: Mapped[int] = mapped_column(Integer)
    unexpected: Mapped[int] = mapped_column(Integer)
    chargeback: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer)
    csv_key: Mapped[str] = mapped_column(String(1024))
    summary_key: Mapped[str] = mapped_column(String(1024))


class EstimateRow(_Synced, Base):
    __tablename__ = "estimates"
    __table_args__ = (
        UniqueConstraint("connection_id", "source_key", name="uq_estimates_source"),
        {"sqlite_autoincrement": True},
    )

    source_key: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(32))
    patient_responsibility_cents: Mapped[int] = mapped_column(BigInteger)
    deposit_due_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
