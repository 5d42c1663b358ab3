"""A plan's eligibility against the portal's rules: pure, so workflows and their Update
validators apply the same checks (a validator may not call an activity)."""

from __future__ import annotations

from models.errors import (
    AmountExceedsBalance,
    InstallmentBelowMinimum,
    PlanChangeRefused,
    PlanNotEligible,
    PlanTermTooLong,
)
from models.money import Money
from models.plans import InstallmentStatus, PaymentPlan, PlanRules, PlanStatus


def months_to_pay(balance_cents: int, installment_cents: int) -> int:
    """Monthly installments that pay ``balance_cents`` off, the last one the remainder."""
    return -(-balance_cents // installment_cents)


def check_enrollment(rules: PlanRules, installment: Money) -> None:
    """Whether the portal would plan ``rules.balance`` at ``installment`` a month."""
    if (
        rules.balance.amount_cents <= 0
        or rules.balance.amount_cents < rules.min_balance.amount_cents
    ):
        raise PlanNotEligible(
            f"statement {rules.statement_id}: a balance of {rules.balance} is below the "
            f"portal's minimum of {rules.min_balance} for a plan"
        )
    if installment.amount_cents >= rules.balance.amount_cents:
        # A plan of one installment is a payment (billbridge pay): the portals refuse it.
        raise AmountExceedsBalance(
            f"installment {installment} covers the whole balance {rules.balance}: that is a "
            "payment, not a plan"
        )
    _check_installment(rules, installment, rules.balance, months_used=0)


def check_installment_change(rules: PlanRules, plan: PaymentPlan, installment: Money) -> None:
    """Whether the plan may change to ``installment`` a month for what remains of it."""
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED):
        raise PlanChangeRefused(f"plan {plan.plan_id} is {plan.status}: it cannot change")
    drafted = sum(1 for i in plan.installments if i.status is InstallmentStatus.DRAFTED)
    _check_installment(rules, installment, plan.remaining_balance, months_used=drafted)


def _check_installment(
    rules: PlanRules, installment: Money, balance: Money, *, months_used: int
) -> None:
    if installment.amount_cents <= 0:
        raise InstallmentBelowMinimum(f"an installment must be more than zero ({installment})")
    if installment.amount_cents > balance.amount_cents:
        raise AmountExceedsBalance(
            f"installment {installment} exceeds the balance {balance} the plan covers"
        )
    # The last installment is the remainder, which may be below the minimum; a plan of one
    # installment is the balance itself.
    if installment.amount_cents < rules.min_installment.amount_cents:
        raise InstallmentBelowMinimum(
            f"installment {installment} is below the portal's minimum of {rules.min_installment}"
        )
    months = months_used + months_to_pay(balance.amount_cents, installment.amount_cents)
    if months > rules.max_term_months:
        raise PlanTermTooLong(
            f"{installment} a month pays {balance} off in {months} months; the portal's "
            f"maximum term is {rules.max_term_months} months"
        )
