"""Writing what a sync read from a portal, and reading it back per tenant, in pages.

A sync records each object it saw; recording again updates the row in place (same id,
same ``seq``, new body and ``synced_at``), so ids are stable across syncs and pages stay
in first-seen order. A statement's line items are replaced whole with the statement.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from models.accounts import Account, Guarantor
from models.pages import Page, PageRequest
from models.payments import Payment
from models.statements import LineItem, Statement
from models.synced import SyncedAccount, SyncedGuarantor, SyncedPayment, SyncedStatement
from stores.read_model.paging import page_rows
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.tables import (
    AccountRow,
    GuarantorRow,
    LineItemRow,
    PaymentRow,
    StatementRow,
)

RowT = TypeVar("RowT", GuarantorRow, AccountRow, StatementRow, PaymentRow)


class SyncedObjectNotFound(LookupError):
    """No such object in that tenant."""


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class SyncedObjects:
    def __init__(self, engine: Engine, sealer: RowSealer) -> None:
        self._engine = engine
        self._sealer = sealer

    # --- writing (the sync workflows' activities) ------------------------------------------

    def _upsert(
        self,
        session: Session,
        row_type: type[RowT],
        prefix: str,
        tenant_id: str,
        connection_id: str,
        source_key: str,
        body: Any,
        synced_at: datetime,
        **columns: Any,
    ) -> RowT:
        row = session.scalar(
            select(row_type).where(
                row_type.connection_id == connection_id, row_type.source_key == source_key
            )
        )
        if row is None:
            row = row_type(
                id=_new_id(prefix),
                tenant_id=tenant_id,
                connection_id=connection_id,
                source_key=source_key,
            )
            session.add(row)
        for name, value in columns.items():
            setattr(row, name, value)
        row.body = self._sealer.seal(body, row_type.__tablename__, row.id)
        row.synced_at = synced_at
        session.flush()
        return row

    def record_accounts(
        self, tenant_id: str, connection_id: str, accounts: Sequence[Account], synced_at: datetime
    ) -> list[SyncedAccount]:
        key = self._sealer.source_key
        recorded = []
        with Session(self._engine) as session, session.begin():
            for account in accounts:
                guarantor = self._upsert(
                    session, GuarantorRow, "gua", tenant_id, connection_id,
                    key(connection_id, "guarantor", account.guarantor.identifier),
                    account.guarantor, synced_at,
                )  # fmt: skip
                row = self._upsert(
                    session, AccountRow, "acct", tenant_id, connection_id,
                    key(connection_id, "account", account.identifier), account, synced_at,
                    guarantor_id=guarantor.id, status=account.status.value,
                    balance_cents=account.balance.amount_cents,
                    currency=account.balance.currency,
                )  # fmt: skip
                recorded.append(self._account(row))
        return recorded

    def record_statement(
        self, tenant_id: str, connection_id: str, statement: Statement, synced_at: datetime
    ) -> SyncedStatement:
        with Session(self._engine) as session, session.begin():
            row = self._upsert(
                session, StatementRow, "stmt", tenant_id, connection_id,
                self._sealer.source_key(connection_id, "statement", statement.statement_id),
                statement, synced_at,
                status=statement.status.value, total_cents=statement.total.amount_cents,
                balance_cents=statement.balance.amount_cents,
                currency=statement.balance.currency,
            )  # fmt: skip
            session.execute(delete(LineItemRow).where(LineItemRow.statement_id == row.id))
            for position, item in enumerate(statement.line_items):
                item_id = _new_id("li")
                session.add(
                    LineItemRow(
                        id=item_id,
                        tenant_id=tenant_id,
                        connection_id=connection_id,
                        statement_id=row.id,
                        position=position,
                        charge_cents=item.charge.amount_cents,
                        patient_responsibility_cents=item.patient_responsibility.amount_cents,
                        currency=item.charge.currency,
                        body=self._sealer.seal(item, LineItemRow.__tablename__, item_id),
                        synced_at=synced_at,
                    )
                )
            session.flush()
            return self._statement(session, row)

    def record_payment(
        self, tenant_id: str, connection_id: str, payment: Payment, synced_at: datetime
    ) -> SyncedPayment:
        with Session(self._engine) as session, session.begin():
            row = self._upsert(
                session, PaymentRow, "pay", tenant_id, connection_id,
                self._sealer.source_key(connection_id, "payment", payment.confirmation_number),
                payment, synced_at,
                status=payment.status.value, amount_cents=payment.amount.amount_cents,
                currency=payment.amount.currency,
            )  # fmt: skip
            return self._payment(row)

    # --- reading (the API) ----------------------------------------------------------------

    def _guarantor(self, row: GuarantorRow) -> SyncedGuarantor:
        guarantor = self._sealer.unseal(row.body, GuarantorRow.__tablename__, row.id, Guarantor)
        return SyncedGuarantor(
            id=row.id, connection_id=row.connection_id, guarantor=guarantor,
            synced_at=row.synced_at,
        )  # fmt: skip

    def _account(self, row: AccountRow) -> SyncedAccount:
        account = self._sealer.unseal(row.body, AccountRow.__tablename__, row.id, Account)
        return SyncedAccount(
            id=row.id, connection_id=row.connection_id, guarantor_id=row.guarantor_id,
            account=account, synced_at=row.synced_at,
        )  # fmt: skip

    def _statement(self, session: Session, row: StatementRow) -> SyncedStatement:
        statement = self._sealer.unseal(row.body, StatementRow.__tablename__, row.id, Statement)
        items = session.scalars(
            select(LineItemRow)
            .where(LineItemRow.statement_id == row.id)
            .order_by(LineItemRow.position)
        )
        line_items = [
            self._sealer.unseal(i.body, LineItemRow.__tablename__, i.id, LineItem) for i in items
        ]
        return SyncedStatement(
            id=row.id, connection_id=row.connection_id,
            statement=statement.model_copy(update={"line_items": line_items}),
            synced_at=row.synced_at,
        )  # fmt: skip

    def _payment(self, row: PaymentRow) -> SyncedPayment:
        payment = self._sealer.unseal(row.body, PaymentRow.__tablename__, row.id, Payment)
        return SyncedPayment(
            id=row.id, connection_id=row.connection_id, payment=payment,
            synced_at=row.synced_at,
        )  # fmt: skip

    def list_guarantors(self, tenant_id: str, request: PageRequest) -> Page[SyncedGuarantor]:
        with Session(self._engine) as session:
            query = select(GuarantorRow).where(GuarantorRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, GuarantorRow, request)
            return Page[SyncedGuarantor](data=[self._guarantor(r) for r in rows], has_more=more)

    def list_accounts(self, tenant_id: str, request: PageRequest) -> Page[SyncedAccount]:
        with Session(self._engine) as session:
            query = select(AccountRow).where(AccountRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, AccountRow, request)
            return Page[SyncedAccount](data=[self._account(r) for r in rows], has_more=more)

    def list_statements(self, tenant_id: str, request: PageRequest) -> Page[SyncedStatement]:
        with Session(self._engine) as session:
            query = select(StatementRow).where(StatementRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, StatementRow, request)
            shown = [self._statement(session, r) for r in rows]
            return Page[SyncedStatement](data=shown, has_more=more)

    def get_statement(self, tenant_id: str, statement_id: str) -> SyncedStatement:
        with Session(self._engine) as session:
            row = session.scalar(
                select(StatementRow).where(
                    StatementRow.tenant_id == tenant_id, StatementRow.id == statement_id
                )
            )
            if row is None:
                raise SyncedObjectNotFound(statement_id)
            return self._statement(session, row)

    def list_payments(self, tenant_id: str, request: PageRequest) -> Page[SyncedPayment]:
        with Session(self._engine) as session:
            # A failed attempt (posted_payments.py) is no payment the portal holds.
            query = select(PaymentRow).where(
                PaymentRow.tenant_id == tenant_id, PaymentRow.status != "failed"
            )
            rows, more = page_rows(session, query, PaymentRow, request)
            return Page[SyncedPayment](data=[self._payment(r) for r in rows], has_more=more)
