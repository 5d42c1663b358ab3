"""Settlement batches (FHIR PaymentReconciliation): what the processor paid out, and for what."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, SecretStr

from models.money import Money


class SettlementStatus(StrEnum):
    OPEN = "open"  # still collecting transactions
    SETTLED = "settled"  # closed and deposited


class SettlementDetailType(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    CHARGEBACK = "chargeback"  # the card network took a payment back


class SettlementDetail(BaseModel):
    """One transaction in a batch (PaymentReconciliation.allocation)."""

    model_config = ConfigDict(frozen=True)

    identifier: str  # the portal's confirmation or refund number
    type: SettlementDetailType
    amount: Money  # negative for refunds
    date: date
    account: str | None = None
    reference: str | None = None  # the memo/reference the payment was posted with
    reverses: str | None = None  # a chargeback's or refund's payment, where the file names it


class SettlementBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    status: SettlementStatus
    period_start: date
    period_end: date
    payment_date: date | None = None  # deposit date
    payment_amount: Money  # net deposit
    details: list[SettlementDetail] = []


class SftpLogin(BaseModel):
    """Where a portal's settlement files are and how to sign in there: resolved inside the
    activity from the connection's secret reference, never carried in a workflow."""

    host: str
    port: int = 22
    username: str
    password: SecretStr
    host_key_fingerprint: str  # "SHA256:…" as ssh-keygen -l prints it; the key is checked
    directory: str = "."


class SettlementFile(BaseModel):
    name: str
    content: bytes
