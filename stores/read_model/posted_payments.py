"""Payments PostPaymentWorkflow posted (or failed to post), recorded in the read model for
``GET /payments``: the payment and its receipt's artifact key, or the typed failure.

The tenant is the connection's in the read model; a connection made outside the API (the
CLI) has none there, and its payments are not recorded. A posted payment shares its row with
what a sync reads of it later (the same ``source_key``: the confirmation number's hash), so
one payment is one row whoever saw it first. A failed attempt has no confirmation: its row
is keyed by its workflow id, sealed whole, with status ``failed``.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from models.pages import Page, PageRequest
from models.payments import Payment, PaymentRecord
from models.synced import RecordedPayment
from stores.read_model.paging import page_rows
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.tables import ConnectionRow, OperationRow, PaymentRow
from stores.read_model.tenant_connections import holds_tenants

FAILED = "failed"
_TABLE = PaymentRow.__tablename__


class PostedPayments:
    def __init__(self, engine: Engine, sealer: RowSealer) -> None:
        self._engine = engine
        self._sealer = sealer

    def record(self, record: PaymentRecord) -> str | None:
        """The payment's row id; None when its connection has no tenant here. Recording
        again (a retried activity) updates the same row."""
        if not holds_tenants(self._engine):
            return None
        with Session(self._engine) as session, session.begin():
            tenant_id = session.scalar(
                select(ConnectionRow.tenant_id).where(ConnectionRow.id == record.connection_id)
            )
            if tenant_id is None:
                return None
            row = self._row_for(session, record)
            if row is None:
                row = PaymentRow(
                    id=f"pay_{secrets.token_hex(12)}",
                    tenant_id=tenant_id,
                    connection_id=record.connection_id,
                    source_key=self._source_key(record),
                )
                session.add(row)
            payment = record.payment
            row.workflow_id = record.workflow_id
            row.status = payment.status.value if payment is not None else FAILED
            row.amount_cents = record.amount.amount_cents
            row.currency = record.amount.currency
            # What a sync reads back is a Payment; a failed attempt has none, so its body is
            # the record (read by status, never as a Payment).
            body = payment if payment is not None else record
            row.body = self._sealer.seal(body, _TABLE, row.id)
            row.outcome = self._sealer.seal(record, _TABLE, row.id)
            row.synced_at = record.recorded_at
            session.flush()
            return row.id

    def _source_key(self, record: PaymentRecord) -> str:
        key = self._sealer.source_key
        if record.payment is not None:
            return key(record.connection_id, "payment", record.payment.confirmation_number)
        return key(record.connection_id, "payment-attempt", record.workflow_id)

    def _row_for(self, session: Session, record: PaymentRecord) -> PaymentRow | None:
        by_workflow = session.scalar(
            select(PaymentRow).where(PaymentRow.workflow_id == record.workflow_id)
        )
        if by_workflow is not None:
            return by_workflow
        return session.scalar(
            select(PaymentRow).where(
                PaymentRow.connection_id == record.connection_id,
                PaymentRow.source_key == self._source_key(record),
            )
        )

    # --- reading (the API) ----------------------------------------------------------------

    def _shown(self, row: PaymentRow, operation_id: str | None) -> RecordedPayment:
        record = (
            self._sealer.unseal(row.outcome, _TABLE, row.id, PaymentRecord)
            if row.outcome is not None
            else None
        )
        payment = None
        if row.status != FAILED:
            payment = self._sealer.unseal(row.body, _TABLE, row.id, Payment)
        return RecordedPayment(
            id=row.id,
            connection_id=row.connection_id,
            status=row.status,
            amount_cents=row.amount_cents,
            currency=row.currency,
            payment=payment,
            record=record,
            operation_id=operation_id,
            synced_at=row.synced_at,
        )

    def _query(self, tenant_id: str) -> Select[tuple[PaymentRow, str]]:  # str | None: outer join
        return (
            select(PaymentRow, OperationRow.id)
            .outerjoin(OperationRow, OperationRow.workflow_id == PaymentRow.workflow_id)
            .where(PaymentRow.tenant_id == tenant_id)
        )

    def get(self, tenant_id: str, payment_id: str) -> RecordedPayment | None:
        with Session(self._engine) as session:
            found = session.execute(self._query(tenant_id).where(PaymentRow.id == payment_id))
            first = found.first()
            return self._shown(first[0], first[1]) if first is not None else None

    def by_workflow(self, tenant_id: str, workflow_id: str) -> RecordedPayment | None:
        with Session(self._engine) as session:
            found = session.execute(
                self._query(tenant_id).where(PaymentRow.workflow_id == workflow_id)
            )
            first = found.first()
            return self._shown(first[0], first[1]) if first is not None else None

    def list(self, tenant_id: str, request: PageRequest) -> Page[RecordedPayment]:
        with Session(self._engine) as session:
            query = select(PaymentRow).where(PaymentRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, PaymentRow, request)
            workflow_ids = [r.workflow_id for r in rows if r.workflow_id is not None]
            found = session.execute(
                select(OperationRow.workflow_id, OperationRow.id).where(
                    OperationRow.workflow_id.in_(workflow_ids)
                )
            )
            operations = {workflow_id: op_id for workflow_id, op_id in found.tuples()}
            shown = [
                self._shown(r, operations.get(r.workflow_id) if r.workflow_id else None)
                for r in rows
            ]
            return Page[RecordedPayment](data=shown, has_more=more)
