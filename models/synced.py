"""Objects as the read model holds them: the normalized model a sync read from the portal,
with BillBridge's own stable id, its connection and when it was last seen (``synced_at``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from models.accounts import Account, Guarantor
from models.payments import Payment
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
