"""The plan-enrollment process's own models: its request, progress, Updates and queries.

The adapter contract (what a portal's plan looks like) is ``models/plans.py``; this module is
what EnrollPlanWorkflow takes in, carries across continue-as-new and answers with.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.audit import Actor, unattributed
from models.card_numbers import refuse_card_numbers_in
from models.connection_session import SessionLease
from models.errors import InvalidAmount, InvalidInput
from models.identifiers import refuse_personal_data_in_id
from models.money import Money
from models.plans import (
    Installment,
    PaymentPlan,
    PlanChange,
    PlanEnrollment,
    PlanRules,
    PlanStatus,
)


def check_token_shape(token: str) -> None:
    """A processor token ('tok_…'): ASCII, no spaces (a card number is refused elsewhere)."""
    if not token or not token.isascii() or " " in token:
        raise InvalidInput("payment_method_token must be a processor token such as 'tok_…'")


class PlanCarryOver(BaseModel):
    """What one run hands the next when the workflow continues as new.

    Set only by the workflow itself; a caller's request never has it.
    """

    rules: PlanRules
    portal: str  # the portal's name, for refusals (pausing where the portal cannot)
    pausable: bool
    plan: PaymentPlan
    already_enrolled: bool = False
    # Failed draft attempts already reported as events, per installment number, so a new
    # run does not raise them again.
    reported_failures: dict[int, int] = Field(default_factory=dict)
    drafted_reported: list[int] = Field(default_factory=list)
    runs: int = 1


class EnrollPlanRequest(BaseModel):
    """Input of EnrollPlanWorkflow. References only: no secrets, no card numbers."""

    connection_id: str = Field(min_length=1)
    statement_id: str = Field(min_length=1)
    installment_amount_cents: int
    payment_method_token: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=200)
    currency: str = "USD"
    fail_fast: bool = False
    requested_by: Actor = Field(default_factory=unattributed)
    carried: PlanCarryOver | None = None

    def validate_for_enrollment(self) -> None:
        """Checks that need no portal; typed, non-retryable (kept out of pydantic
        validators: a workflow whose input fails to deserialize retries forever)."""
        if self.installment_amount_cents <= 0:
            raise InvalidAmount(
                f"installment must be greater than zero (got {self.installment_amount_cents} cents)"
            )
        refuse_card_numbers_in(self)
        refuse_personal_data_in_id(self.idempotency_key, "idempotency_key")
        refuse_personal_data_in_id(self.connection_id, "connection_id")
        check_token_shape(self.payment_method_token)

    @property
    def installment_amount(self) -> Money:
        return Money(amount_cents=self.installment_amount_cents, currency=self.currency)

    def as_requested(self) -> EnrollPlanRequest:
        """The request as its caller made it, from any run's input."""
        return self.model_copy(update={"carried": None})


class PlanStep(StrEnum):
    VALIDATING = "validating"
    AWAITING_SESSION = "awaiting_session"
    CHECKING_ELIGIBILITY = "checking_eligibility"
    ENROLLING = "enrolling"
    WAITING_FOR_DRAFT = "waiting_for_draft"
    CHECKING_DRAFT = "checking_draft"
    DRAFT_RETRY_PENDING = "draft_retry_pending"
    PAUSED = "paused"
    CHANGING = "changing"
    PAID_OFF = "paid_off"
    CANCELLED = "cancelled"
    DELINQUENT = "delinquent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _PLAN_STEP_LABELS[self]


_PLAN_STEP_LABELS = {
    PlanStep.VALIDATING: "validating the request",
    PlanStep.AWAITING_SESSION: (
        "waiting for a signed-in portal session (a code to enter? billbridge mfa list)"
    ),
    PlanStep.CHECKING_ELIGIBILITY: "checking the portal's plan rules",
    PlanStep.ENROLLING: "enrolling the plan with autopay (reconciling by reference first)",
    PlanStep.WAITING_FOR_DRAFT: "enrolled; waiting for the next autopay draft",
    PlanStep.CHECKING_DRAFT: "checking that the portal drafted the installment",
    PlanStep.DRAFT_RETRY_PENDING: "a draft failed; waiting for the portal's retry",
    PlanStep.PAUSED: "paused",
    PlanStep.CHANGING: "applying a change on the portal",
    PlanStep.PAID_OFF: "paid off",
    PlanStep.CANCELLED: "cancelled",
    PlanStep.DELINQUENT: "delinquent: the portal gave up retrying a failed draft",
    PlanStep.FAILED: "failed",
}

# Steps after which the plan is over; the CLI stops following an enrollment at the first
# step that is not one of the enrollment's own.
ENROLLMENT_STEPS = frozenset(
    {
        PlanStep.VALIDATING,
        PlanStep.AWAITING_SESSION,
        PlanStep.CHECKING_ELIGIBILITY,
        PlanStep.ENROLLING,
    }
)


class PlanProgress(BaseModel):
    """The ``progress`` query's answer (in recorded histories: add fields, never rename)."""

    step: PlanStep
    detail: str = ""

    def describe(self) -> str:
        return f"{self.step.label} ({self.detail})" if self.detail else self.step.label

    @property
    def enrolled(self) -> bool:
        return self.step not in ENROLLMENT_STEPS


class NextDraft(BaseModel):
    """The ``next_draft`` query: when the portal drafts next and how much (None once over)."""

    due_date: date | None = None
    amount: Money | None = None
    installment_number: int | None = None


class PlanBalance(BaseModel):
    """The ``balance`` query. The sandbox portals' plans carry no interest or fees, so
    the payoff is what remains; kept apart for a portal that charges either."""

    remaining_balance: Money
    payoff_amount: Money


class PlanView(BaseModel):
    """The ``plan`` query and every Update's answer: the plan as last read from the portal."""

    workflow_id: str
    connection_id: str
    plan: PaymentPlan | None = None
    rules: PlanRules | None = None
    pausable: bool = False
    progress: PlanProgress
    next_check_at: datetime | None = None  # when the workflow looks at the portal next


class PlanAction(BaseModel):
    """Pause, resume or cancel: who asks."""

    requested_by: Actor = Field(default_factory=unattributed)


class PaymentMethodChange(BaseModel):
    payment_method_token: str
    requested_by: Actor = Field(default_factory=unattributed)


class InstallmentChange(BaseModel):
    installment_amount_cents: int
    requested_by: Actor = Field(default_factory=unattributed)


class PlanOutcome(BaseModel):
    """The workflow's result: how the plan ended."""

    plan_id: str
    status: PlanStatus
    plan: PaymentPlan
    already_enrolled: bool  # True when reconciliation found our reference at enrollment


# --- activity inputs and outputs ---------------------------------------------------------


class PlanEligibilityLookup(BaseModel):
    lease: SessionLease
    statement_id: str


class PlanEligibility(BaseModel):
    rules: PlanRules
    portal: str
    pausable: bool  # the portal's adapter can pause and resume plans (PlanPauser)


class EnrollPlanInput(BaseModel):
    lease: SessionLease
    enrollment: PlanEnrollment


class EnrolledPlan(BaseModel):
    plan: PaymentPlan
    already_enrolled: bool


class PlanLookup(BaseModel):
    lease: SessionLease
    plan_id: str


class ChangePlanInput(BaseModel):
    lease: SessionLease
    plan_id: str
    change: PlanChange


class PlanSchedule(BaseModel):
    """The ``schedule`` query: every installment as last read from the portal."""

    installments: list[Installment] = Field(default_factory=list)
