"""Durable operations: a tenant's idempotency keys and the operations they name; the
payments PostPaymentWorkflow records carry its workflow id and sealed outcome.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operations",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(63), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("workflow_id", sa.String(300), nullable=False, unique=True),
        sa.Column("connection_id", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_operations_tenant_key"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    # batch: SQLite cannot add an index with ALTER TABLE's few forms alone.
    with op.batch_alter_table("payments") as payments:
        payments.add_column(sa.Column("workflow_id", sa.String(300), nullable=True))
        payments.add_column(sa.Column("outcome", sa.LargeBinary, nullable=True))
        payments.create_index("ix_payments_workflow_id", ["workflow_id"])


def downgrade() -> None:
    with op.batch_alter_table("payments") as payments:
        payments.drop_index("ix_payments_workflow_id")
        payments.drop_column("outcome")
        payments.drop_column("workflow_id")
    op.drop_table("operations")
