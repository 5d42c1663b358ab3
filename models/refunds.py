"""Refunds and voids of a posted payment: the refund process's inputs, outputs and progress,
and what a portal shows of a payment's refundable state."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.audit import Actor, unattributed
from models.card_numbers import refuse_card_numbers_in
from models.connection_session import SessionLease
from models.errors import InvalidAmount, InvalidInput, PaymentNotRefundable, RefundExceedsNet
from models.identifiers import refuse_personal_data_in_id
from models.money import Money

# Portal transaction ids: letters, digits and dashes (PCO-…, HP24-…). Checked because the
# confirmation number becomes part of the per-payment lock's workflow id.
_CONFIRMATION_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$")


class RefundReason(StrEnum):
    """Why money goes back, normalized over the portals' reason-code lists (each adapter
    maps these to its portal's codes)."""

    DUPLICATE = "duplicate"
    OVERPAYMENT = "overpayment"
    PATIENT_REQUEST = "patient_request"
    BILLING_ERROR = "billing_error"


class RefundKind(StrEnum):
    VOID = "void"  # before settlement: the whole payment is reversed, nothing settles
    REFUND = "refund"  # after settlement: money sent back, partially or in full


class RefundOption(StrEnum):
    """What the portal offers for a payment right now (its void / refund actions)."""

    VOID = "void"
    REFUND = "refund"
    NONE = "none"  # voided, fully refunded, or otherwise closed


class RefundablePayment(BaseModel):
    """A payment's refundable state as the portal shows it."""

    model_config = ConfigDict(frozen=True)

    confirmation_number: str
    amount_paid: Money
    net_paid: Money  # paid less what was refunded (zero once voided)
    option: RefundOption

    @property
    def settled(self) -> bool:
        return self.option is RefundOption.REFUND


class Refund(BaseModel):
    """A void or refund as the portal recorded it, found again by our reference."""

    model_config = ConfigDict(frozen=True)

    refund_id: str  # the portal's id (a void: the payment's own transaction id)
    confirmation_number: str  # the payment it gives money back on
    kind: RefundKind
    amount: Money
    reference: str
    reason: RefundReason | None = None
    created_at: datetime | None = None


class RefundRequest(BaseModel):
    """Input of RefundPaymentWorkflow: references only, no secrets, no card numbers."""

    connection_id: str = Field(min_length=1)
    confirmation_number: str = Field(min_length=1)
    # None: everything that is left of the payment (its net paid).
    amount_cents: int | None = None
    reason: RefundReason = RefundReason.PATIENT_REQUEST
    idempotency_key: str = Field(min_length=1, max_length=200)
    currency: str = "USD"
    fail_fast: bool = False
    requested_by: Actor = Field(default_factory=unattributed)

    def validate_for_refund(self) -> None:
        """Checks that need no portal (typed, non-retryable); the net paid is checked in the
        portal, before anything is submitted."""
        if self.amount_cents is not None and self.amount_cents <= 0:
            raise InvalidAmount(f"amount must be greater than zero (got {self.amount_cents} cents)")
        refuse_card_numbers_in(self)
        refuse_personal_data_in_id(self.idempotency_key, "idempotency_key")
        refuse_personal_data_in_id(self.connection_id, "connection_id")
        if not _CONFIRMATION_NUMBER.match(self.confirmation_number):
            raise InvalidInput(
                "confirmation_number must be the portal's transaction id (letters, digits, dashes)"
            )

    def amount(self) -> Money | None:
        if self.amount_cents is None:
            return None
        return Money(amount_cents=self.amount_cents, currency=self.currency)


def plan_refund(state: RefundablePayment, requested: Money | None) -> tuple[RefundKind, Money]:
    """A void or a refund of how much, as the portal's state allows; typed refusals else.

    Never more than the net paid; before settlement only the whole payment can go back
    (a void), so a partial amount waits for the settlement.
    """
    number = state.confirmation_number
    if state.option is RefundOption.NONE or state.net_paid.amount_cents <= 0:
        raise PaymentNotRefundable(
            f"payment {number} has nothing the portal lets us give back (voided or fully refunded)"
        )
    amount = requested if requested is not None else state.net_paid
    if amount.amount_cents > state.net_paid.amount_cents:
        raise RefundExceedsNet(
            f"refund {amount} exceeds what is left of payment {number} ({state.net_paid} of "
            f"{state.amount_paid} paid)"
        )
    if state.option is RefundOption.VOID:
        if amount != state.net_paid:
            raise PaymentNotRefundable(
                f"payment {number} has not settled: only a void of the whole {state.net_paid} "
                "is possible now; a partial refund once it has settled"
            )
        return RefundKind.VOID, amount
    return RefundKind.REFUND, amount


class RefundResult(BaseModel):
    refund: Refund
    net_paid_after: Money
    already_refunded: bool  # True when reconciliation found our reference: nothing resubmitted


class RefundStep(StrEnum):
    VALIDATING = "validating"
    CHECKING_OFFERED = "checking_offered"
    AWAITING_SESSION = "awaiting_session"
    AWAITING_PAYMENT_LOCK = "awaiting_payment_lock"
    CHECKING_PAYMENT = "checking_payment"
    VOIDING = "voiding"
    REFUNDING = "refunding"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _REFUND_STEP_LABELS[self]


_REFUND_STEP_LABELS = {
    RefundStep.VALIDATING: "validating the request",
    RefundStep.CHECKING_OFFERED: "checking that the portal offers refunds",
    RefundStep.AWAITING_SESSION: (
        "waiting for a signed-in portal session (a code to enter? billbridge mfa list)"
    ),
    RefundStep.AWAITING_PAYMENT_LOCK: "waiting for another refund of this payment to finish",
    RefundStep.CHECKING_PAYMENT: "reading what is left of the payment",
    RefundStep.VOIDING: "voiding the payment (reconciling by reference first)",
    RefundStep.REFUNDING: "refunding (reconciling by reference first)",
    RefundStep.COMPLETED: "completed",
    RefundStep.FAILED: "failed",
}


class RefundProgress(BaseModel):
    """The ``progress`` query's answer (in recorded histories: add, never rename)."""

    step: RefundStep
    detail: str = ""
    steps_done: list[RefundStep] = Field(default_factory=list)

    def describe(self) -> str:
        return f"{self.step.label} ({self.detail})" if self.detail else self.step.label


class RefundSubmission(BaseModel):
    """What an adapter needs to fill in a portal's void or refund form."""

    confirmation_number: str
    kind: RefundKind
    amount: Money  # a void: the whole net paid
    reason: RefundReason
    reference: str  # our client reference, written into the portal's reason/memo field


class PaymentLookup(BaseModel):
    lease: SessionLease
    confirmation_number: str


class SubmitRefundInput(BaseModel):
    lease: SessionLease
    submission: RefundSubmission


class SubmittedRefund(BaseModel):
    refund: Refund
    already_refunded: bool
    net_paid_after: Money
