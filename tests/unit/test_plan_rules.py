"""A plan's eligibility and the Updates a plan's state allows: the checks the workflow and
its Update validators share."""

from __future__ import annotations

from datetime import date

import pytest

from models.errors import (
    AmountExceedsBalance,
    InstallmentBelowMinimum,
    InvalidInput,
    NotOffered,
    PlanChangeRefused,
    PlanNotEligible,
    PlanTermTooLong,
)
from models.money import Money
from models.plan_eligibility import check_enrollment, check_installment_change
from models.plan_enrollment import EnrollPlanRequest, PlanAction, PlanStep
from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules, PlanStatus
from workflows.plan_changes import check_cancel, check_pause, check_resume

RULES = PlanRules(
    statement_id="ST-1",
    balance=Money(amount_cents=120_000),
    min_balance=Money(amount_cents=5_000),
    min_installment=Money(amount_cents=2_500),
    max_term_months=24,
    retry_after_days=3,
    max_draft_retries=2,
)


def usd(cents: int) -> Money:
    return Money(amount_cents=cents)


def plan(status: PlanStatus = PlanStatus.ACTIVE, drafted: int = 0) -> PaymentPlan:
    installments = [
        Installment(
            number=n,
            due_date=date(2027, n, 1),
            amount=usd(10_000),
            status=InstallmentStatus.DRAFTED if n <= drafted else InstallmentStatus.SCHEDULED,
            attempts=1 if n <= drafted else 0,
        )
        for n in range(1, 13)
    ]
    return PaymentPlan(
        plan_id="P-1",
        statement_id="ST-1",
        reference="BB-1",
        status=status,
        installment_amount=usd(10_000),
        method_last4="4242",
        remaining_balance=usd(120_000 - 10_000 * drafted),
        next_draft_date=date(2027, drafted + 1, 1),
        installments=installments,
    )


@pytest.mark.parametrize(
    ("cents", "refusal"),
    [
        (2_000, InstallmentBelowMinimum),
        (4_000, PlanTermTooLong),
        (130_000, AmountExceedsBalance),
        (120_000, AmountExceedsBalance),  # one installment: a payment, not a plan
    ],
)
def test_an_enrollment_outside_the_rules_is_refused(cents: int, refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        check_enrollment(RULES, usd(cents))


def test_an_enrollment_inside_the_rules_passes_the_shortest_and_longest_term() -> None:
    check_enrollment(RULES, usd(5_000))  # 24 months, the maximum
    check_enrollment(RULES, usd(60_000))  # two installments


def test_a_balance_below_the_portals_minimum_gets_no_plan() -> None:
    with pytest.raises(PlanNotEligible):
        check_enrollment(RULES.model_copy(update={"balance": usd(4_000)}), usd(4_000))


def test_a_new_amount_counts_the_months_already_drafted() -> None:
    # 10 drafted, 20,000 left: 1,000 a month is below the minimum, 2,500 takes 8 more months.
    check_installment_change(RULES, plan(drafted=10), usd(2_500))
    with pytest.raises(PlanTermTooLong):
        check_installment_change(
            RULES.model_copy(update={"max_term_months": 12}), plan(drafted=10), usd(2_500)
        )
    with pytest.raises(PlanChangeRefused):
        check_installment_change(RULES, plan(PlanStatus.CANCELLED), usd(10_000))


def test_pause_resume_and_cancel_follow_the_plans_state() -> None:
    action = PlanAction()
    check_pause(action, plan(), "healthpay24", pausable=True)
    check_resume(action, plan(PlanStatus.PAUSED), "healthpay24", pausable=True)
    check_cancel(action, plan(PlanStatus.PAUSED))
    with pytest.raises(NotOffered, match="cedar does not offer pausing"):
        check_pause(action, plan(), "cedar", pausable=False)
    with pytest.raises(PlanChangeRefused):
        check_pause(action, plan(PlanStatus.PAUSED), "healthpay24", pausable=True)
    with pytest.raises(PlanChangeRefused):
        check_resume(action, plan(), "healthpay24", pausable=True)
    with pytest.raises(PlanChangeRefused):
        check_cancel(action, plan(PlanStatus.PAID_OFF))


def test_the_request_is_checked_before_any_portal_work() -> None:
    request = EnrollPlanRequest(
        connection_id="c1",
        statement_id="ST-1",
        installment_amount_cents=10_000,
        payment_method_token="tok_visa_4242",
        idempotency_key="k1",
    )
    request.validate_for_enrollment()
    for changes in (
        {"installment_amount_cents": 0},
        {"payment_method_token": "4242424242424242"},
        {"idempotency_key": "jane doe"},
        {"payment_method_token": "not a token"},
    ):
        with pytest.raises(InvalidInput):
            request.model_copy(update=changes).validate_for_enrollment()


@pytest.mark.parametrize("step", list(PlanStep))
def test_every_plan_step_has_a_label(step: PlanStep) -> None:
    assert step.label.strip()
