"""Deposits on pre-service estimates and the estimate-to-deposit process's inputs and
outputs: the estimate read, the deposit collected once, then followed until the hospital
bills the encounter and applies the deposit to its statement."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.audit import Actor, unattributed
from models.card_numbers import refuse_card_numbers_in
from models.connection_session import SessionLease
from models.errors import InvalidInput
from models.estimates import Estimate
from models.identifiers import refuse_personal_data_in_id
from models.money import Money


class DepositStatus(StrEnum):
    HELD = "held"  # collected, waiting for the encounter to be billed
    APPLIED = "applied"  # applied to the encounter's statement


class DepositSubmission(BaseModel):
    """What an adapter needs to fill in a portal's deposit form."""

    estimate_id: str
    amount: Money  # the deposit due as read from the estimate: the form must agree
    payment_method_token: str
    reference: str  # our client reference, written into the portal's deposit note


class Deposit(BaseModel):
    """A deposit as the portal shows it, and where it went once applied (FHIR
    PaymentNotice with the encounter's Invoice as its request)."""

    model_config = ConfigDict(frozen=True)

    deposit_id: str
    estimate_id: str
    amount: Money
    reference: str
    collected_on: date
    encounter_id: str
    service_date: date
    expected_billing_date: date  # when the portal says the encounter will be billed
    status: DepositStatus
    statement_id: str | None = None
    amount_applied: Money | None = None
    applied_on: date | None = None


class EstimateDepositRequest(BaseModel):
    """Input of EstimateToDepositWorkflow. References only: no secrets, no card numbers."""

    connection_id: str = Field(min_length=1)
    estimate_id: str = Field(min_length=1)
    payment_method_token: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=200)
    # Daily checks after the expected billing date before a person is asked to look.
    follow_days: int = 14
    requested_by: Actor = Field(default_factory=unattributed)

    def validate_for_deposit(self) -> None:
        """Checks that need no portal, typed (not pydantic validators: see PostPaymentRequest)."""
        refuse_card_numbers_in(self)
        refuse_personal_data_in_id(self.idempotency_key, "idempotency_key")
        refuse_personal_data_in_id(self.connection_id, "connection_id")
        if not self.payment_method_token.isascii() or " " in self.payment_method_token:
            raise InvalidInput("payment_method_token must be a processor token such as 'tok_…'")
        if not 1 <= self.follow_days <= 90:
            raise InvalidInput(f"follow_days must be 1 to 90 (got {self.follow_days})")


class EstimateDepositResult(BaseModel):
    estimate: Estimate
    deposit: Deposit  # as last read: applied
    already_collected: bool  # True when the lookup found our reference: nothing resubmitted
    statement_id: str
    encounter_id: str
    amount_applied: Money
    portal_checks: int  # how many times the deposit was read while it was held


class DepositStep(StrEnum):
    CHECKING_OFFERED = "checking_offered"
    AWAITING_SESSION = "awaiting_session"
    READING_ESTIMATE = "reading_estimate"
    COLLECTING_DEPOSIT = "collecting_deposit"
    WAITING_FOR_BILLING = "waiting_for_billing"
    CHECKING_DEPOSIT = "checking_deposit"
    APPLIED = "applied"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """What a person is told the deposit is doing (CLI)."""
        return _DEPOSIT_STEP_LABELS[self]


_DEPOSIT_STEP_LABELS = {
    DepositStep.CHECKING_OFFERED: "checking the portal takes deposits",
    DepositStep.AWAITING_SESSION: (
        "waiting for a signed-in portal session (a code to enter? billbridge mfa list)"
    ),
    DepositStep.READING_ESTIMATE: "reading the estimate",
    DepositStep.COLLECTING_DEPOSIT: "collecting the deposit (looking up our reference first)",
    DepositStep.WAITING_FOR_BILLING: "waiting for the encounter to be billed",
    DepositStep.CHECKING_DEPOSIT: "checking where the deposit went",
    DepositStep.APPLIED: "applied",
    DepositStep.FAILED: "failed",
}


class DepositProgress(BaseModel):
    """The ``progress`` query's answer (in recorded histories: add fields, never rename)."""

    step: DepositStep
    detail: str = ""
    deposit_id: str | None = None
    next_check_at: datetime | None = None
    portal_checks: int = 0

    def describe(self) -> str:
        return f"{self.step.label} ({self.detail})" if self.detail else self.step.label


class EstimateLookup(BaseModel):
    lease: SessionLease
    estimate_id: str


class CollectDepositInput(BaseModel):
    lease: SessionLease
    submission: DepositSubmission


class CollectedDeposit(BaseModel):
    deposit: Deposit
    already_collected: bool


class DepositLookup(BaseModel):
    lease: SessionLease
    deposit_id: str
