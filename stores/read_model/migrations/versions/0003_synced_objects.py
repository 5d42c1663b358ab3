"""What syncs read from portals: guarantors, accounts, statements, line items, payments.

Patient data is in ``body`` (sealed, see ``stores/read_model/sealed_rows.py``); the plain
columns are ids, amounts in cents, statuses and ``synced_at``.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("payments", "line_items", "statements", "accounts", "guarantors")


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


def upgrade() -> None:
    source = sa.Column("source_key", sa.String(64), nullable=False)
    op.create_table(
        "guarantors",
        *_common(source),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_guarantors_source"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "accounts",
        *_common(
            sa.Column("source_key", sa.String(64), nullable=False),
            sa.Column("guarantor_id", sa.String(40), sa.ForeignKey("guarantors.id"),
                      nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("balance_cents", sa.BigInteger, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
        ),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_accounts_source"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_table(
        "statements",
        *_common(
            sa.Column("source_key", sa.String(64), nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("total_cents", sa.BigInteger, nullable=False),
            sa.Column("balance_cents", sa.BigInteger, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
        ),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_statements_source"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "line_items",
        *_common(
            sa.Column("statement_id", sa.String(40), sa.ForeignKey("statements.id"),
                      nullable=False, index=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("charge_cents", sa.BigInteger, nullable=False),
            sa.Column("patient_responsibility_cents", sa.BigInteger, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
        ),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_table(
        "payments",
        *_common(
            sa.Column("source_key", sa.String(64), nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("amount_cents", sa.BigInteger, nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
        ),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_payments_source"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_table(table)
