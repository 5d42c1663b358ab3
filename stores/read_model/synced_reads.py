"""What the API reads: synced objects of one tenant, narrowed by connection, patient or
account, in cursor pages, or one by id. Another tenant's object is simply not found."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, select
from sqlalchemy.orm import Session

from models.pages import Page, PageRequest
from models.synced import (
    GuarantorTotals,
    SyncedAccount,
    SyncedEstimate,
    SyncedFilter,
    SyncedPatient,
    SyncedStatement,
)
from stores.read_model.paging import page_rows
from stores.read_model.synced_objects import SyncedObjectNotFound, SyncedObjects
from stores.read_model.tables import AccountRow, EstimateRow, GuarantorRow, StatementRow

RowT = TypeVar("RowT", GuarantorRow, AccountRow, StatementRow, EstimateRow)
ItemT = TypeVar("ItemT")


class SyncedReads:
    def __init__(self, engine: Engine, objects: SyncedObjects) -> None:
        self._engine = engine
        self._objects = objects

    # --- patients (guarantors with their accounts summed) ---------------------------------

    def list_patients(
        self, tenant_id: str, where: SyncedFilter, request: PageRequest
    ) -> Page[SyncedPatient]:
        query = select(GuarantorRow).where(GuarantorRow.tenant_id == tenant_id)
        if where.connection_id is not None:
            query = query.where(GuarantorRow.connection_id == where.connection_id)
        if where.account_id is not None:
            query = query.where(
                GuarantorRow.id.in_(
                    select(AccountRow.guarantor_id).where(AccountRow.id == where.account_id)
                )
            )
        with Session(self._engine) as session:
            rows, more = page_rows(session, query, GuarantorRow, request)
            return Page[SyncedPatient](data=self._patients(session, rows), has_more=more)

    def get_patient(self, tenant_id: str, patient_id: str) -> SyncedPatient:
        with Session(self._engine) as session:
            row = self._one(session, GuarantorRow, tenant_id, patient_id)
            return self._patients(session, [row])[0]

    def _patients(self, session: Session, rows: Sequence[GuarantorRow]) -> list[SyncedPatient]:
        ids = [row.id for row in rows]
        accounts: dict[str, list[AccountRow]] = {gid: [] for gid in ids}
        for account in session.scalars(
            select(AccountRow).where(AccountRow.guarantor_id.in_(ids)).order_by(AccountRow.seq)
        ):
            accounts[account.guarantor_id].append(account)
        return [
            SyncedPatient(
                guarantor=self._objects.guarantor_of(row), totals=self._totals(accounts[row.id])
            )
            for row in rows
        ]

    def _totals(self, rows: list[AccountRow]) -> GuarantorTotals:
        patients: set[str] | None = None
        autopay: bool | None = None
        for row in rows:
            extension = self._objects.account_of(row).account.extension
            mrns = getattr(extension, "patient_mrns", None)
            if mrns:
                patients = (patients or set()) | set(mrns)
            enrolled = getattr(extension, "autopay_enrolled", None)
            if enrolled is not None:
                autopay = bool(autopay) or enrolled
        return GuarantorTotals(
            account_ids=[row.id for row in rows],
            balance_cents=sum(row.balance_cents for row in rows),
            currency=rows[0].currency if rows else "USD",
            accounts_with_balance=sum(1 for row in rows if row.balance_cents > 0),
            patients_covered=len(patients) if patients is not None else None,
            autopay_enrolled=autopay,
        )

    # --- accounts, statements, estimates --------------------------------------------------

    def list_accounts(
        self, tenant_id: str, where: SyncedFilter, request: PageRequest
    ) -> Page[SyncedAccount]:
        query = select(AccountRow).where(AccountRow.tenant_id == tenant_id)
        if where.patient_id is not None:
            query = query.where(AccountRow.guarantor_id == where.patient_id)
        if where.account_id is not None:
            query = query.where(AccountRow.id == where.account_id)
        return self._page(
            query, AccountRow, where, request, lambda _s, r: self._objects.account_of(r)
        )

    def get_account(self, tenant_id: str, account_id: str) -> SyncedAccount:
        with Session(self._engine) as session:
            return self._objects.account_of(self._one(session, AccountRow, tenant_id, account_id))

    def list_statements(
        self, tenant_id: str, where: SyncedFilter, request: PageRequest
    ) -> Page[SyncedStatement]:
        query = select(StatementRow).where(StatementRow.tenant_id == tenant_id)
        query = _by_account(query, StatementRow, where)
        return self._page(query, StatementRow, where, request, self._objects.statement_of)

    def get_statement(self, tenant_id: str, statement_id: str) -> SyncedStatement:
        with Session(self._engine) as session:
            row = self._one(session, StatementRow, tenant_id, statement_id)
            return self._objects.statement_of(session, row)

    def statement_pdf_key(self, tenant_id: str, statement_id: str) -> str | None:
        """The artifact key of the statement's PDF; None when no PDF was kept."""
        with Session(self._engine) as session:
            return self._one(session, StatementRow, tenant_id, statement_id).pdf_artifact_key

    def list_estimates(
        self, tenant_id: str, where: SyncedFilter, request: PageRequest
    ) -> Page[SyncedEstimate]:
        query = select(EstimateRow).where(EstimateRow.tenant_id == tenant_id)
        query = _by_account(query, EstimateRow, where)
        return self._page(
            query, EstimateRow, where, request, lambda _s, r: self._objects.estimate_of(r)
        )

    def get_estimate(self, tenant_id: str, estimate_id: str) -> SyncedEstimate:
        with Session(self._engine) as session:
            row = self._one(session, EstimateRow, tenant_id, estimate_id)
            return self._objects.estimate_of(row)

    # --- helpers --------------------------------------------------------------------------

    def _page(
        self,
        query: Select[tuple[RowT]],
        row_type: type[RowT],
        where: SyncedFilter,
        request: PageRequest,
        shown: Callable[[Session, Any], ItemT],
    ) -> Page[ItemT]:
        if where.connection_id is not None:
            query = query.where(row_type.connection_id == where.connection_id)
        with Session(self._engine) as session:
            rows, more = page_rows(session, query, row_type, request)
            return Page[ItemT](data=[shown(session, row) for row in rows], has_more=more)

    @staticmethod
    def _one(session: Session, row_type: type[RowT], tenant_id: str, object_id: str) -> RowT:
        row = session.scalar(
            select(row_type).where(row_type.tenant_id == tenant_id, row_type.id == object_id)
        )
        if row is None:
            raise SyncedObjectNotFound(object_id)
        return row


def _by_account(
    query: Select[tuple[RowT]],
    row_type: type[StatementRow] | type[EstimateRow],
    where: SyncedFilter,
) -> Select[tuple[RowT]]:
    if where.account_id is not None:
        query = query.where(row_type.account_id == where.account_id)
    if where.patient_id is not None:
        query = query.where(
            row_type.account_id.in_(
                select(AccountRow.id).where(AccountRow.guarantor_id == where.patient_id)
            )
        )
    return query
