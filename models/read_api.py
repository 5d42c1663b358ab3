"""What ``GET /patients``, ``/accounts``, ``/statements`` and ``/estimates`` answer: the
read model's objects in the shapes callers get (``object``, a prefixed ``id``, links to
related objects by id, ``synced_at``), separate from the rows and the synced models."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from models.accounts import AccountStatus, Encounter
from models.estimates import EstimateLine, EstimateStatus
from models.money import Money
from models.pages import PageRequest
from models.statements import LineItem, StatementStatus
from models.synced import (
    SyncedAccount,
    SyncedEstimate,
    SyncedFilter,
    SyncedPatient,
    SyncedStatement,
)
from models.vendor_extensions import AccountExtension, StatementExtension


class ReadQuery(PageRequest):
    """A list's page, its filters, and whether to sync first (``refresh``)."""

    connection_id: str | None = Field(default=None, max_length=64)
    refresh: bool = Field(
        default=False,
        description="sync the connection(s) first and wait for it, bounded; see the "
        "BillBridge-Refresh response header",
    )

    def narrowing(self) -> SyncedFilter:
        return SyncedFilter(connection_id=self.connection_id)

    def page(self) -> PageRequest:
        return PageRequest(limit=self.limit, starting_after=self.starting_after)


class PatientQuery(ReadQuery):
    account_id: str | None = Field(default=None, max_length=40)

    def narrowing(self) -> SyncedFilter:
        return SyncedFilter(connection_id=self.connection_id, account_id=self.account_id)


class AccountQuery(ReadQuery):
    patient_id: str | None = Field(default=None, max_length=40)

    def narrowing(self) -> SyncedFilter:
        return SyncedFilter(connection_id=self.connection_id, patient_id=self.patient_id)


class BilledQuery(ReadQuery):
    """Statements and estimates: by connection, patient or account."""

    patient_id: str | None = Field(default=None, max_length=40)
    account_id: str | None = Field(default=None, max_length=40)

    def narrowing(self) -> SyncedFilter:
        return SyncedFilter(
            connection_id=self.connection_id,
            patient_id=self.patient_id,
            account_id=self.account_id,
        )


class RefreshOutcome(StrEnum):
    """The ``BillBridge-Refresh`` header of a ``?refresh=true`` answer."""

    COMPLETED = "completed"  # every sync finished: the data is fresh
    TIMED_OUT = "timed_out"  # a sync still runs past the bound: the data held so far
    FAILED = "failed"  # a sync failed (login, portal): the data the last sync left
    UNAVAILABLE = "unavailable"  # Temporal did not answer: the data held


class CoverageIndicators(BaseModel):
    """Only what the portals show of coverage: None where the portal shows nothing."""

    patients_covered: int | None = Field(
        default=None, description="patients the guarantor's accounts cover (Patientco)"
    )
    autopay_enrolled: bool | None = Field(
        default=None, description="autopay is on for one of the accounts (HealthPay24)"
    )
    accounts_with_balance: int


class PatientPublic(BaseModel):
    object: Literal["patient"] = "patient"
    id: str
    connection_id: str
    name: str
    birth_date: date | None
    mrn: str | None
    portal_id: str = Field(description="the portal's own id for the person")
    balance: Money = Field(description="the sum of the patient's account balances")
    account_ids: list[str]
    coverage: CoverageIndicators
    synced_at: datetime

    @classmethod
    def of(cls, synced: SyncedPatient) -> PatientPublic:
        person, totals = synced.guarantor.guarantor, synced.totals
        return cls(
            id=synced.guarantor.id, connection_id=synced.guarantor.connection_id,
            name=person.name, birth_date=person.birth_date, mrn=person.mrn,
            portal_id=person.identifier,
            balance=Money(amount_cents=totals.balance_cents, currency=totals.currency),
            account_ids=totals.account_ids,
            coverage=CoverageIndicators(
                patients_covered=totals.patients_covered,
                autopay_enrolled=totals.autopay_enrolled,
                accounts_with_balance=totals.accounts_with_balance,
            ),
            synced_at=synced.guarantor.synced_at,
        )  # fmt: skip


class AccountPublic(BaseModel):
    object: Literal["account"] = "account"
    id: str
    connection_id: str
    patient_id: str
    account_number: str
    name: str | None
    status: AccountStatus
    balance: Money
    encounters: list[Encounter]
    extension: AccountExtension | None
    synced_at: datetime

    @classmethod
    def of(cls, synced: SyncedAccount) -> AccountPublic:
        account = synced.account
        return cls(
            id=synced.id, connection_id=synced.connection_id, patient_id=synced.guarantor_id,
            account_number=account.identifier, name=account.name, status=account.status,
            balance=account.balance, encounters=account.encounters,
            extension=account.extension, synced_at=synced.synced_at,
        )  # fmt: skip


class StatementPublic(BaseModel):
    object: Literal["statement"] = "statement"
    id: str
    connection_id: str
    account_id: str | None
    statement_number: str = Field(description="the portal's statement id")
    account_number: str
    issued_on: date
    due_on: date
    total: Money
    balance: Money
    status: StatementStatus
    line_items: list[LineItem]
    pdf_available: bool = Field(description="GET /statements/{id}/pdf answers the document")
    extension: StatementExtension | None
    synced_at: datetime

    @classmethod
    def of(cls, synced: SyncedStatement) -> StatementPublic:
        statement = synced.statement
        return cls(
            id=synced.id, connection_id=synced.connection_id, account_id=synced.account_id,
            statement_number=statement.statement_id, account_number=statement.account_number,
            issued_on=statement.issued_on, due_on=statement.due_on, total=statement.total,
            balance=statement.balance, status=statement.status,
            line_items=statement.line_items, pdf_available=synced.pdf_available,
            extension=statement.extension, synced_at=synced.synced_at,
        )  # fmt: skip


class EstimatePublic(BaseModel):
    object: Literal["estimate"] = "estimate"
    id: str
    connection_id: str
    account_id: str | None
    estimate_number: str = Field(description="the portal's estimate id")
    status: EstimateStatus
    service_date: date
    lines: list[EstimateLine]
    patient_responsibility: Money
    deposit_due: Money
    synced_at: datetime

    @classmethod
    def of(cls, synced: SyncedEstimate) -> EstimatePublic:
        estimate = synced.estimate
        return cls(
            id=synced.id, connection_id=synced.connection_id, account_id=synced.account_id,
            estimate_number=estimate.identifier, status=estimate.status,
            service_date=estimate.service_date, lines=estimate.lines,
            patient_responsibility=estimate.patient_responsibility,
            deposit_due=estimate.deposit_due, synced_at=synced.synced_at,
        )  # fmt: skip
