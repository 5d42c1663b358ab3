"""Settlement batches and reconciliation reports, recorded when a reconciliation finishes.

Transactions and report lines (they name payments by the portal's numbers) are sealed in
``body``; the plain columns are totals, counts, statuses, dates and artifact keys.

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def _common(*extra: sa.Column[Any]) -> list[sa.Column[Any]]:
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(63), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("connection_id", sa.String(64), sa.ForeignKey("connections.id"),
                  nullable=False),
        *extra,
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    ]  # fmt: skip


def _cents(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger, nullable=False)


def _count(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer, nullable=False)


def upgrade() -> None:
    op.create_table(
        "settlement_batches",
        *_common(
            sa.Column("source_key", sa.String(64), nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("batch_date", sa.Date, nullable=False),
            sa.Column("payment_date", sa.Date, nullable=True),
            _cents("net_cents"), _cents("payments_cents"), _cents("refunds_cents"),
            _cents("chargebacks_cents"), _count("transaction_count"),
            sa.Column("currency", sa.String(3), nullable=False),
        ),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_settlement_batches_source"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_table(
        "reconciliation_reports",
        *_common(
            sa.Column("workflow_id", sa.String(255), nullable=False, index=True),
            sa.Column("run_id", sa.String(64), nullable=False),
            sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("settled_through", sa.Date, nullable=True),
            _count("matched"), _count("missing"), _count("amount_differs"),
            _count("unexpected"), _count("chargeback"), _count("pending"),
            sa.Column("csv_key", sa.String(1024), nullable=False),
            sa.Column("summary_key", sa.String(1024), nullable=False),
        ),
        sa.UniqueConstraint("workflow_id", "run_id", name="uq_reconciliation_reports_run"),
        sqlite_autoincrement=True,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("reconciliation_reports")
    op.drop_table("settlement_batches")
