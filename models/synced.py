"""Objects as the read model holds them: the normalized model a sync read from the portal,
with BillBridge's own stable id, its connection and when it was last seen (``synced_at``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from models.accounts import Account, Guarantor
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
