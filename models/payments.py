"""Payments, receipts and the payment-posting process's inputs and outputs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.audit import Actor, unattributed
from models.card_numbers import refuse_card_numbers_in
from models.connection_session import SessionLease
from models.errors import AmountExceedsBalance, InvalidAmount, InvalidInput
from models.identifiers import refuse_personal_data_in_id
from models.money import Money
from models.operator_hold import OperatorHoldView


class PaymentStatus(StrEnum):
    """Aligned with FHIR PaymentNotice.paymentStatus: paid / cleared / voided / refunded."""

    PAID = "paid"
    VOIDED = "voided"
    REFUNDED = "refunded"


class PaymentMethodKind(StrEnum):
    CARD = "card"
    ACH = "ach"


class PaymentMethod(BaseModel):
    """A payment method on file at the portal: only its processor token and display data."""

    model_config = ConfigDict(frozen=True)

    token: str
    brand: str
    last4: str
    kind: PaymentMethodKind = PaymentMethodKind.CARD


class PaymentSubmission(BaseModel):
    """What an adapter needs to fill in a portal's pay form."""

    statement_id: str
    amount: Money
    payment_method_token: str
    reference: str  # our client reference, written into the portal's memo field


class Payment(BaseModel):
    """A payment as the portal recorded it (FHIR PaymentNotice: ``confirmation_number``
    identifier, ``amount``, ``posted_at`` paymentDate, ``status`` paymentStatus)."""

    model_config = ConfigDict(frozen=True)

    confirmation_number: str
    statement_id: str
    amount: Money
    reference: str
    method_last4: str
    posted_at: datetime
    status: PaymentStatus = PaymentStatus.PAID
    method_kind: PaymentMethodKind = PaymentMethodKind.CARD


def refuse_over_balance(amount: Money, balance_due: Money, statement_id: str) -> None:
    """AmountExceedsBalance when ``amount`` is more than the statement's balance due: checked
    before any money moves, wherever the balance was read."""
    if amount.amount_cents > balance_due.amount_cents:
        raise AmountExceedsBalance(
            f"amount {amount} exceeds the balance due {balance_due} on statement {statement_id}"
        )


class PaymentConfirmation(BaseModel):
    """What the portal showed right after a submit: the payment, and the statement's balance
    after it when the confirmation shows one (None: read the statement to learn it)."""

    model_config = ConfigDict(frozen=True)

    payment: Payment
    balance_after: Money | None = None


class ReceiptFile(BaseModel):
    """A receipt as downloaded from the portal, before it is stored."""

    filename: str
    content_type: str = "application/pdf"
    content: bytes


class StoredArtifact(BaseModel):
    """Where an artifact (receipt, statement PDF, trace) was stored."""

    key: str
    location: str  # file path or s3:// URL
    sha256: str
    size_bytes: int
    content_type: str


class PostPaymentRequest(BaseModel):
    """Input of PostPaymentWorkflow. Holds references only: no secrets, no card numbers."""

    connection_id: str = Field(min_length=1)
    statement_id: str = Field(min_length=1)
    amount_cents: int
    payment_method_token: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=200)
    currency: str = "USD"
    # While the connection needs new credentials: fail at once instead of waiting for repair.
    fail_fast: bool = False
    # Who asked (operator, API key): recorded in the audit trail, not part of the payment.
    requested_by: Actor = Field(default_factory=unattributed)

    def validate_for_posting(self) -> None:
        """Checks that need no portal. Raises typed, non-retryable errors.

        Kept out of pydantic validators on purpose: a workflow whose input fails to
        deserialize never fails, it retries its first task forever.
        """
        if self.amount_cents <= 0:
            raise InvalidAmount(f"amount must be greater than zero (got {self.amount_cents} cents)")
        # Every string field, not only the token: a PAN pasted into any of them would
        # land in workflow history, and the idempotency key even in the workflow id.
        refuse_card_numbers_in(self)
        # Both end up in workflow ids, which Temporal stores unencrypted.
        refuse_personal_data_in_id(self.idempotency_key, "idempotency_key")
        refuse_personal_data_in_id(self.connection_id, "connection_id")
        if not self.payment_method_token.isascii() or " " in self.payment_method_token:
            raise InvalidInput("payment_method_token must be a processor token such as 'tok_…'")

    @property
    def amount(self) -> Money:
        return Money(amount_cents=self.amount_cents, currency=self.currency)


class PostPaymentResult(BaseModel):
    payment: Payment
    receipt: StoredArtifact
    balance_after: Money
    already_posted: bool  # True when reconciliation found our reference: nothing resubmitted


class PaymentRecord(BaseModel):
    """What PostPaymentWorkflow records in the read model once it has ended: the payment
    and its receipt, or what was attempted and the typed failure (no payment exists)."""

    workflow_id: str
    connection_id: str
    statement_id: str
    amount: Money
    reference: str
    recorded_at: datetime
    payment: Payment | None = None
    receipt: StoredArtifact | None = None
    failure_type: str | None = None  # a BillBridge error's name (models/errors.py)
    # Typed failures' messages carry no secrets, card numbers or patient data (errors.py).
    failure_message: str | None = None


class PaymentRecorded(BaseModel):
    """The read model's row for a PaymentRecord; None when its connection has no tenant
    there (made by the CLI, not the API)."""

    payment_id: str | None = None


class PaymentStep(StrEnum):
    VALIDATING = "validating"
    AWAITING_SESSION = "awaiting_session"
    CHECKING_STATEMENT = "checking_statement"
    POSTING_PAYMENT = "posting_payment"
    DOWNLOADING_RECEIPT = "downloading_receipt"
    # One activity since "one-payment-activity": the statement check, the lookup of our
    # reference, the submit and the receipt on one page (the three steps above: older runs).
    PAYING = "paying"
    # The portal changed under a step: held until an operator retries or cancels.
    AWAITING_OPERATOR = "awaiting_operator"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """What a person is told the payment is doing (CLI, demo)."""
        return _PAYMENT_STEP_LABELS[self]


_PAYMENT_STEP_LABELS = {
    PaymentStep.VALIDATING: "validating the request",
    PaymentStep.AWAITING_SESSION: (
        "waiting for a signed-in portal session (a code to enter? billbridge mfa list)"
    ),
    PaymentStep.CHECKING_STATEMENT: "checking the statement",
    PaymentStep.POSTING_PAYMENT: "posting the payment (reconciling by reference first)",
    PaymentStep.DOWNLOADING_RECEIPT: "downloading and storing the receipt",
    PaymentStep.PAYING: (
        "paying: checking the statement, reconciling by reference, posting, storing the receipt"
    ),
    PaymentStep.AWAITING_OPERATOR: (
        "the portal changed: waiting for an operator (billbridge payments retry | cancel)"
    ),
    PaymentStep.COMPLETED: "completed",
    PaymentStep.FAILED: "failed",
}


class PaymentProgress(BaseModel):
    """The ``progress`` query's answer (its shape is in recorded histories: add, never
    rename)."""

    step: PaymentStep
    detail: str = ""
    steps_done: list[PaymentStep] = Field(default_factory=list)
    # Set while the step is AWAITING_OPERATOR: what changed and the evidence kept.
    hold: OperatorHoldView | None = None

    def describe(self) -> str:
        """One line for a person: the step's label and its detail."""
        return f"{self.step.label} ({self.detail})" if self.detail else self.step.label


class StatementLookup(BaseModel):
    lease: SessionLease
    statement_id: str


class PostPaymentInput(BaseModel):
    lease: SessionLease
    submission: PaymentSubmission


class PostedPayment(BaseModel):
    payment: Payment
    already_posted: bool
    balance_after: Money


class ReceiptRequest(BaseModel):
    lease: SessionLease
    confirmation_number: str


class PayStatementInput(BaseModel):
    lease: SessionLease
    submission: PaymentSubmission


class PaidStatement(BaseModel):
    """What ``pay_statement`` returns: the payment, the portal's balance after it and the
    stored receipt (a ``PostedPayment`` plus the receipt, so readers of either decode it)."""

    payment: Payment
    already_posted: bool
    balance_after: Money
    receipt: StoredArtifact


class PayStepReached(StrEnum):
    POSTED = "posted"


class PaymentMark(BaseModel):
    """The heartbeat mark of ``pay_statement``: how far an attempt got, so the next attempt
    resumes there (encrypted like every payload; the payment is what history shows anyway)."""

    step: PayStepReached
    payment: Payment
    already_posted: bool
    balance_after: Money | None = None  # from the confirmation, when it showed one
