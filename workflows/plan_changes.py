"""Which Updates a plan accepts in its current state: what the Update validators check.

Pure, so a validator (which may not call an activity) refuses an invalid change before it
reaches history, and the handler checks again once it holds the portal.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from models.card_numbers import refuse_card_numbers_in
    from models.errors import NotOffered, PlanChangeRefused
    from models.money import Money
    from models.plan_eligibility import check_installment_change
    from models.plan_enrollment import check_token_shape
    from models.plans import PaymentPlan, PlanRules, PlanStatus

_OPEN = (PlanStatus.ACTIVE, PlanStatus.PAUSED)


def enrolled_plan(plan: PaymentPlan | None, rules: PlanRules | None) -> PaymentPlan:
    if plan is None or rules is None:
        raise PlanChangeRefused("the plan is not enrolled yet; try again once it is")
    return plan


def check_pause(update: BaseModel, plan: PaymentPlan, portal: str, pausable: bool) -> None:
    refuse_card_numbers_in(update, "pause")
    if not pausable:
        raise NotOffered(f"{portal} does not offer pausing payment plans")
    if plan.status is not PlanStatus.ACTIVE:
        raise PlanChangeRefused(f"plan {plan.plan_id} is {plan.status}: only an active plan pauses")


def check_resume(update: BaseModel, plan: PaymentPlan, portal: str, pausable: bool) -> None:
    refuse_card_numbers_in(update, "resume")
    if not pausable:
        raise NotOffered(f"{portal} does not offer pausing payment plans")
    if plan.status is not PlanStatus.PAUSED:
        raise PlanChangeRefused(f"plan {plan.plan_id} is {plan.status}: only a paused plan resumes")


def check_cancel(update: BaseModel, plan: PaymentPlan) -> None:
    refuse_card_numbers_in(update, "cancel")
    _check_open(plan, "cancelled")


def check_method_change(update: BaseModel, plan: PaymentPlan, token: str) -> None:
    refuse_card_numbers_in(update, "change")
    check_token_shape(token)
    _check_open(plan, "changed")


def check_amount_change(update: BaseModel, plan: PaymentPlan, rules: PlanRules, cents: int) -> None:
    refuse_card_numbers_in(update, "change")
    installment = Money(amount_cents=cents, currency=plan.installment_amount.currency)
    check_installment_change(rules, plan, installment)


def _check_open(plan: PaymentPlan, done: str) -> None:
    if plan.status not in _OPEN:
        raise PlanChangeRefused(f"plan {plan.plan_id} is {plan.status}: it cannot be {done}")
