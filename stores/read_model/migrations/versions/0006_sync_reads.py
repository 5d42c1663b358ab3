"""What the sync workflow adds: estimates, and on statements the account they bill, a
keyed hash of the list row last read (to skip re-reading an unchanged statement) and the
artifact key of the statement's PDF.

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None

_STATEMENT_COLUMNS = ("pdf_artifact_key", "summary_hash", "account_id")


def upgrade() -> None:
    op.create_table(
        "estimates",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(40), nullable=False, unique=True),
        sa.Column("tenant_id", sa.String(63), sa.ForeignKey("tenants.id"), nullable=False,
                  index=True),
        sa.Column("connection_id", sa.String(64), sa.ForeignKey("connections.id"),
                  nullable=False),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(40), nullable=True, index=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("patient_responsibility_cents", sa.BigInteger, nullable=False),
        sa.Column("deposit_due_cents", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("connection_id", "source_key", name="uq_estimates_source"),
        sqlite_autoincrement=True,
    )  # fmt: skip
    # Batch mode: SQLite alters a table by copying it; PostgreSQL alters it in place.
    with op.batch_alter_table("statements") as batch:
        # Plain ids (no foreign key): an account may be read after its statements.
        batch.add_column(sa.Column("account_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("summary_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("pdf_artifact_key", sa.String(200), nullable=True))
        batch.create_index("ix_statements_account_id", ["account_id"])


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_account_id")
        for column in _STATEMENT_COLUMNS:
            batch.drop_column(column)
    op.drop_table("estimates")
