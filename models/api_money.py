"""What the money-moving endpoints take (``…Create``) and show (``…Public``).

Bodies carry references only: the connection, the portal's statement or payment, and a
processor token (``tok_…``) for the payment method, never a card number (refused before any
of these models sees one). Objects named by their operation (refund, plan, deposit) have the
operation's id under their own prefix (``re_``, ``plan_``, ``dep_``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.deposits import Deposit
from models.money import Money
from models.operations import OperationError, OperationStatus
from models.plan_enrollment import NextDraft
from models.plans import Installment, PaymentPlan
from models.refunds import Refund, RefundReason

_STRICT = ConfigDict(extra="forbid")


class PaymentCreate(BaseModel):
    model_config = _STRICT

    connection_id: str = Field(min_length=1, max_length=64)
    statement_id: str = Field(min_length=1, max_length=200)
    amount_cents: int = Field(description="what to pay, in cents; at most the balance due")
    payment_method_token: str = Field(
        min_length=1, max_length=200, description="a payment method on file: its processor token"
    )
    currency: str = Field(default="USD", min_length=3, max_length=3)
    fail_fast: bool = Field(
        default=False,
        description="fail at once (login_required) instead of waiting for new credentials",
    )


class ReceiptLink(BaseModel):
    url: str = Field(description="an expiring link to the receipt PDF; no API key needed")
    expires_at: datetime
    sha256: str = Field(description="the SHA-256 of the receipt as downloaded from the portal")
    size_bytes: int
    content_type: str


class PaymentFailure(BaseModel):
    code: str
    detail: str


class PaymentPublic(BaseModel):
    object: Literal["payment"] = "payment"
    id: str
    connection_id: str
    status: str = Field(description="paid, voided, refunded, or failed (nothing was paid)")
    amount_cents: int
    currency: str
    statement_id: str | None = None
    confirmation_number: str | None = None
    reference: str | None = Field(default=None, description="BillBridge's mark in the portal")
    method_last4: str | None = None
    posted_at: datetime | None = None
    receipt: ReceiptLink | None = None
    failure: PaymentFailure | None = None
    operation_id: str | None = Field(default=None, description="the operation that posted it")
    synced_at: datetime


class RefundCreate(BaseModel):
    model_config = _STRICT

    connection_id: str = Field(min_length=1, max_length=64)
    confirmation_number: str = Field(
        min_length=1, max_length=200, description="the payment to give money back on"
    )
    amount_cents: int | None = Field(
        default=None, description="a partial refund; omitted: everything left (a void before "
        "settlement)",
    )  # fmt: skip
    reason: RefundReason = RefundReason.PATIENT_REQUEST
    currency: str = Field(default="USD", min_length=3, max_length=3)
    fail_fast: bool = False


class RefundPublic(BaseModel):
    object: Literal["refund"] = "refund"
    id: str
    operation_id: str
    connection_id: str
    status: OperationStatus
    created_at: datetime
    refund: Refund | None = Field(default=None, description="as the portal recorded it")
    net_paid_after: Money | None = None
    error: OperationError | None = None


class PlanCreate(BaseModel):
    model_config = _STRICT

    connection_id: str = Field(min_length=1, max_length=64)
    statement_id: str = Field(min_length=1, max_length=200)
    installment_amount_cents: int
    payment_method_token: str = Field(min_length=1, max_length=200)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    fail_fast: bool = False


class PlanPublic(BaseModel):
    object: Literal["payment_plan"] = "payment_plan"
    id: str
    operation_id: str
    connection_id: str
    status: OperationStatus = Field(description="the operation: running while the plan runs")
    plan_status: str | None = Field(default=None, description="the portal's: active, paused…")
    created_at: datetime
    plan: PaymentPlan | None = None
    schedule: list[Installment] = Field(default_factory=list)
    next_draft: NextDraft | None = None
    progress: str | None = None
    error: OperationError | None = None


class DepositCreate(BaseModel):
    model_config = _STRICT

    connection_id: str = Field(min_length=1, max_length=64)
    estimate_id: str = Field(min_length=1, max_length=200)
    payment_method_token: str = Field(min_length=1, max_length=200)
    follow_days: int = Field(default=14, ge=1, le=90)


class DepositPublic(BaseModel):
    object: Literal["deposit"] = "deposit"
    id: str
    operation_id: str
    connection_id: str
    status: OperationStatus = Field(description="succeeded once the deposit is applied")
    created_at: datetime
    deposit: Deposit | None = None
    deposit_id: str | None = Field(default=None, description="the portal's, once collected")
    amount_applied: Money | None = None
    statement_id: str | None = None
    progress: str | None = None
    error: OperationError | None = None
