"""The read model's rows. Response models are separate (``models/``): a row is storage.

Every table has ``seq``, an integer assigned at insert and never changed, which lists are
ordered and paged by (``paging.py``), beside the public, prefixed ``id``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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
