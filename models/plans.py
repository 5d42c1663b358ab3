"""Payment plans as the portals show them: the contract between plan adapters and the
plan workflow (the workflow's own request, progress and update models live beside it).

A plan is enrolled on one statement's balance, drafted by the portal's autopay on a
payment-method token, one installment per due date, on the portal's clock.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.money import Money


class PlanRules(BaseModel):
    """What the portal accepts for a plan on one statement (its eligibility rules)."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    balance: Money  # what the plan would cover
    min_balance: Money  # below this the portal offers no plan
    min_installment: Money
    max_term_months: int = Field(gt=0)
    # Days the portal waits before retrying a failed draft, and how many retries it makes
    # before it marks the plan delinquent.
    retry_after_days: int = Field(ge=0)
    max_draft_retries: int = Field(ge=0)


class PlanEnrollment(BaseModel):
    """What a plan adapter fills in to enroll."""

    statement_id: str
    installment_amount: Money
    payment_method_token: str
    reference: str  # our client reference, written into the plan's memo/note field


class PlanStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DELINQUENT = "delinquent"
    CANCELLED = "cancelled"
    PAID_OFF = "paid_off"


class InstallmentStatus(StrEnum):
    SCHEDULED = "scheduled"  # not yet due
    DRAFTED = "drafted"  # autopay charged it
    FAILED = "failed"  # the draft was declined; the portal retries on its schedule
    SKIPPED = "skipped"  # due while the plan was paused or after it ended


class Installment(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int = Field(ge=1)
    due_date: date
    amount: Money
    status: InstallmentStatus
    attempts: int = 0  # drafts tried, failed ones included
    confirmation_number: str | None = None  # the draft's payment, once drafted


class PaymentPlan(BaseModel):
    """A plan as the portal recorded it."""

    model_config = ConfigDict(frozen=True)

    plan_id: str
    statement_id: str
    reference: str
    status: PlanStatus
    installment_amount: Money
    method_last4: str
    remaining_balance: Money  # what is still owed on the plan
    next_draft_date: date | None  # None once the plan has ended
    installments: list[Installment]


class PlanChange(BaseModel):
    """A change the plan adapter applies: either field, or both."""

    installment_amount: Money | None = None
    payment_method_token: str | None = None
