"""Objects as the read model holds them: the normalized model a sync read from the portal,
with BillBridge's own stable id, its connection and when it was last seen (``synced_at``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from models.accounts import Account, Guarantor
from models.estimates import Estimate
from models.payments import Payment, PaymentRecord
from models.statements import Statement


class SyncedGuarantor(BaseModel):
    id: str
    connection_id: str
    guarantor: Guarantor
    synced_at: datetime


class SyncedAccount(BaseModel):
    id: str
    connection_id: str
    guarantor_id: str
    account: Account
    synced_at: datetime


class SyncedStatement(BaseModel):
    id: str
    connection_id: str
    statement: Statement
    synced_at: datetime
    account_id: str | None = None  # the account it bills, where the sync read it
    pdf_available: bool = False  # its PDF is in the artifact store


class SyncedEstimate(BaseModel):
    id: str
    connection_id: str
    account_id: str | None
    estimate: Estimate
    synced_at: datetime


class GuarantorTotals(BaseModel):
    """A guarantor's accounts, summed: what ``GET /patients`` shows beside the person."""

    account_ids: list[str]
    balance_cents: int
    currency: str
    accounts_with_balance: int
    # Only what the portals show: Patientco lists the patients a guarantor account covers,
    # HealthPay24 whether autopay is on; None where the portal shows nothing of the kind.
    patients_covered: int | None = None
    autopay_enrolled: bool | None = None


class SyncedPatient(BaseModel):
    guarantor: SyncedGuarantor
    totals: GuarantorTotals


class SyncedFilter(BaseModel):
    """Narrowing a list to one connection, patient (guarantor) or account."""

    connection_id: str | None = None
    patient_id: str | None = None
    account_id: str | None = None


class SyncedPayment(BaseModel):
    id: str
    connection_id: str
    payment: Payment
    synced_at: datetime


class RecordedPayment(BaseModel):
    """A payment row as the API reads it: what the portal holds (``payment``, None for a
    failed attempt) and, when PostPaymentWorkflow recorded it, its outcome (``record``:
    the receipt, or the typed failure) and the operation that asked for it."""

    id: str
    connection_id: str
    status: str  # a PaymentStatus, or "failed"
    amount_cents: int
    currency: str
    payment: Payment | None = None
    record: PaymentRecord | None = None
    operation_id: str | None = None
    synced_at: datetime
