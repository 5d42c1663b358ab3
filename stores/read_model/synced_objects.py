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
from models.connection_sync import offers_pdf
from models.estimates import Estimate
from models.pages import Page, PageRequest
from models.payments import Payment
from models.statements import LineItem, Statement, StatementSummary
from models.synced import (
    SyncedAccount,
    SyncedEstimate,
    SyncedGuarantor,
    SyncedPayment,
    SyncedStatement,
)
from stores.read_model.paging import page_rows
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.tables import (
    AccountRow,
    EstimateRow,
    GuarantorRow,
    LineItemRow,
    PaymentRow,
    StatementRow,
)

RowT = TypeVar("RowT", GuarantorRow, AccountRow, StatementRow, PaymentRow, EstimateRow)


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
                recorded.append(self.account_of(row))
        return recorded

    def record_statement(
        self, tenant_id: str, connection_id: str, statement: Statement, synced_at: datetime
    ) -> SyncedStatement:
        return self.sync_statement(tenant_id, connection_id, statement, synced_at)[0]

    def sync_statement(
        self,
        tenant_id: str,
        connection_id: str,
        statement: Statement,
        synced_at: datetime,
        listed_as: StatementSummary | None = None,
    ) -> tuple[SyncedStatement, bool]:
        """Record a statement read in full; (it, True when this is its first time).

        ``listed_as`` is the row of the statements list it was opened from: its keyed hash
        is kept so the next sync need not open a statement whose row did not change.
        """
        key = self._sealer.source_key
        with Session(self._engine) as session, session.begin():
            created = (
                self._find(
                    session,
                    StatementRow,
                    connection_id,
                    key(connection_id, "statement", statement.statement_id),
                )
                is None
            )
            row = self._upsert(
                session, StatementRow, "stmt", tenant_id, connection_id,
                key(connection_id, "statement", statement.statement_id),
                statement, synced_at,
                status=statement.status.value, total_cents=statement.total.amount_cents,
                balance_cents=statement.balance.amount_cents,
                currency=statement.balance.currency,
                account_id=self._account_id(session, connection_id, statement.account_number),
                summary_hash=self._summary_hash(connection_id, listed_as) if listed_as else None,
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
            return self.statement_of(session, row), created

    def touch_unchanged_statements(
        self,
        connection_id: str,
        listed: Sequence[StatementSummary],
        synced_at: datetime,
        *,
        pdfs_offered: bool = False,
    ) -> list[str]:
        """The portal ids of the listed statements whose row is as the last sync read it
        (and whose PDF is kept, where the portal offers PDFs); they are marked seen now."""
        unchanged = []
        key = self._sealer.source_key
        with Session(self._engine) as session, session.begin():
            for summary in listed:
                row = self._find(session, StatementRow, connection_id,
                                 key(connection_id, "statement", summary.statement_id))  # fmt: skip
                if row is None or row.summary_hash != self._summary_hash(connection_id, summary):
                    continue
                if pdfs_offered and offers_pdf(summary) and row.pdf_artifact_key is None:
                    continue
                row.synced_at = synced_at
                for item in session.scalars(
                    select(LineItemRow).where(LineItemRow.statement_id == row.id)
                ):
                    item.synced_at = synced_at
                unchanged.append(summary.statement_id)
        return unchanged

    def keep_statement_pdf(self, tenant_id: str, statement_id: str, artifact_key: str) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.scalar(
                select(StatementRow).where(
                    StatementRow.tenant_id == tenant_id, StatementRow.id == statement_id
                )
            )
            if row is None:
                raise SyncedObjectNotFound(statement_id)
            row.pdf_artifact_key = artifact_key

    def record_estimates(
        self,
        tenant_id: str,
        connection_id: str,
        estimates: Sequence[Estimate],
        synced_at: datetime,
    ) -> list[tuple[SyncedEstimate, bool]]:
        key = self._sealer.source_key
        recorded = []
        with Session(self._engine) as session, session.begin():
            for estimate in estimates:
                source = key(connection_id, "estimate", estimate.identifier)
                created = self._find(session, EstimateRow, connection_id, source) is None
                row = self._upsert(
                    session, EstimateRow, "est", tenant_id, connection_id, source,
                    estimate, synced_at,
                    account_id=self._account_id(session, connection_id, estimate.account),
                    status=estimate.status.value,
                    patient_responsibility_cents=estimate.patient_responsibility.amount_cents,
                    deposit_due_cents=estimate.deposit_due.amount_cents,
                    currency=estimate.deposit_due.currency,
                )  # fmt: skip
                recorded.append((self.estimate_of(row), created))
        return recorded

    def _find(
        self, session: Session, row_type: type[RowT], connection_id: str, source_key: str
    ) -> RowT | None:
        return session.scalar(
            select(row_type).where(
                row_type.connection_id == connection_id, row_type.source_key == source_key
            )
        )

    def _account_id(
        self, session: Session, connection_id: str, account_number: str | None
    ) -> str | None:
        if not account_number:
            return None
        source = self._sealer.source_key(connection_id, "account", account_number)
        row = self._find(session, AccountRow, connection_id, source)
        return row.id if row is not None else None

    def _summary_hash(self, connection_id: str, summary: StatementSummary) -> str:
        # The list row's fields only, whether a list row or a full statement is passed.
        listed = summary.model_dump_json(include=set(StatementSummary.model_fields))
        return self._sealer.source_key(connection_id, "statement-row", listed)

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
            return self.payment_of(row)

    # --- reading (the API) ----------------------------------------------------------------

    def guarantor_of(self, row: GuarantorRow) -> SyncedGuarantor:
        guarantor = self._sealer.unseal(row.body, GuarantorRow.__tablename__, row.id, Guarantor)
        return SyncedGuarantor(
            id=row.id, connection_id=row.connection_id, guarantor=guarantor,
            synced_at=row.synced_at,
        )  # fmt: skip

    def account_of(self, row: AccountRow) -> SyncedAccount:
        account = self._sealer.unseal(row.body, AccountRow.__tablename__, row.id, Account)
        return SyncedAccount(
            id=row.id, connection_id=row.connection_id, guarantor_id=row.guarantor_id,
            account=account, synced_at=row.synced_at,
        )  # fmt: skip

    def statement_of(self, session: Session, row: StatementRow) -> SyncedStatement:
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
            synced_at=row.synced_at, account_id=row.account_id,
            pdf_available=row.pdf_artifact_key is not None,
        )  # fmt: skip

    def estimate_of(self, row: EstimateRow) -> SyncedEstimate:
        estimate = self._sealer.unseal(row.body, EstimateRow.__tablename__, row.id, Estimate)
        return SyncedEstimate(
            id=row.id, connection_id=row.connection_id, account_id=row.account_id,
            estimate=estimate, synced_at=row.synced_at,
        )  # fmt: skip

    def payment_of(self, row: PaymentRow) -> SyncedPayment:
        payment = self._sealer.unseal(row.body, PaymentRow.__tablename__, row.id, Payment)
        return SyncedPayment(
            id=row.id, connection_id=row.connection_id, payment=payment,
            synced_at=row.synced_at,
        )  # fmt: skip

    def list_guarantors(self, tenant_id: str, request: PageRequest) -> Page[SyncedGuarantor]:
        with Session(self._engine) as session:
            query = select(GuarantorRow).where(GuarantorRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, GuarantorRow, request)
            return Page[SyncedGuarantor](data=[self.guarantor_of(r) for r in rows], has_more=more)

    def list_accounts(self, tenant_id: str, request: PageRequest) -> Page[SyncedAccount]:
        with Session(self._engine) as session:
            query = select(AccountRow).where(AccountRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, AccountRow, request)
            return Page[SyncedAccount](data=[self.account_of(r) for r in rows], has_more=more)

    def list_statements(self, tenant_id: str, request: PageRequest) -> Page[SyncedStatement]:
        with Session(self._engine) as session:
            query = select(StatementRow).where(StatementRow.tenant_id == tenant_id)
            rows, more = page_rows(session, query, StatementRow, request)
            shown = [self.statement_of(session, r) for r in rows]
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
            return self.statement_of(session, row)

    def list_payments(self, tenant_id: str, request: PageRequest) -> Page[SyncedPayment]:
        with Session(self._engine) as session:
            # A failed attempt (posted_payments.py) is no payment the portal holds.
            query = select(PaymentRow).where(
                PaymentRow.tenant_id == tenant_id, PaymentRow.status != "failed"
            )
            rows, more = page_rows(session, query, PaymentRow, request)
            return Page[SyncedPayment](data=[self.payment_of(r) for r in rows], has_more=more)
