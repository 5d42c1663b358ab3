"""Settlement batches (FHIR PaymentReconciliation): what the processor paid out, and for what."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.money import Money


class SettlementStatus(StrEnum):
    OPEN = "open"  # still collecting transactions
    SETTLED = "settled"  # closed and deposited


class SettlementDetailType(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class SettlementDetail(BaseModel):
    """One transaction in a batch (PaymentReconciliation.allocation)."""

    model_config = ConfigDict(frozen=True)

    identifier: str  # the portal's confirmation or refund number
    type: SettlementDetailType
    amount: Money  # negative for refunds
    date: date
    account: str | None = None


class SettlementBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    status: SettlementStatus
    period_start: date
    period_end: date
    payment_date: date | None = None  # deposit date
    payment_amount: Money  # net deposit
    details: list[SettlementDetail] = []
