"""HealthPay24's payment-plan pages as the adapter reads them: terms with their units, a
plan's summary and installments, and loud failures on text it does not know."""

from __future__ import annotations

from datetime import date

import pytest

from models.errors import PortalChanged
from models.plans import InstallmentStatus, PlanStatus
from portals.healthpay24.plan_parsing import payment_plan, plan_rules

TERMS = {
    "Statement": "INV-300131",
    "Amount due": "USD 212.35",
    "Minimum amount due for a plan": "USD 25.00",
    "Minimum monthly installment": "USD 10.00",
    "Longest plan": "60 months",
    "Declined draft retried after": "7 days",
    "Retries before the plan is delinquent": "1",
}
SUMMARY = {
    "Statement": "INV-300131",
    "Plan status": "Active",
    "Monthly installment": "USD 50.00",
    "Autopay from": "Checking account ending in 6789",
    "Remaining balance": "USD 162.35",
    "Next draft": "2 Feb 2027",
    "Plan note": "bb-plan-1",
}
ROWS = [
    {"Installment": "1", "Due date": "2 Jan 2027", "Amount": "USD 50.00", "Status": "Paid",
     "Draft attempts": "2", "Confirmation": "HP24-ABCDEF1234"},
    {"Installment": "2", "Due date": "2 Feb 2027", "Amount": "USD 50.00", "Status": "Scheduled",
     "Draft attempts": "0", "Confirmation": "—"},
]  # fmt: skip


def test_terms_become_plan_rules() -> None:
    rules = plan_rules("INV-300131", TERMS)

    assert rules.balance.amount_cents == 21235
    assert rules.min_balance.amount_cents == 2500
    assert rules.min_installment.amount_cents == 1000
    assert (rules.max_term_months, rules.retry_after_days, rules.max_draft_retries) == (60, 7, 1)


def test_terms_of_another_statement_or_without_units_are_portal_changed() -> None:
    with pytest.raises(PortalChanged):
        plan_rules("INV-1", TERMS)
    with pytest.raises(PortalChanged):
        plan_rules("INV-300131", {**TERMS, "Longest plan": "five years"})


def test_plan_page_becomes_a_payment_plan() -> None:
    plan = payment_plan("HPP-1", SUMMARY, ROWS)

    assert plan.status is PlanStatus.ACTIVE
    assert plan.method_last4 == "6789"
    assert plan.reference == "bb-plan-1"
    assert plan.next_draft_date == date(2027, 2, 2)
    assert [i.status for i in plan.installments] == [
        InstallmentStatus.DRAFTED,
        InstallmentStatus.SCHEDULED,
    ]
    assert plan.installments[0].attempts == 2
    assert plan.installments[0].confirmation_number == "HP24-ABCDEF1234"
    assert plan.installments[1].confirmation_number is None


def test_an_ended_plan_has_no_next_draft_and_unknown_statuses_fail_loudly() -> None:
    ended = payment_plan("HPP-1", {**SUMMARY, "Plan status": "Paid off", "Next draft": "—"}, ROWS)
    assert ended.status is PlanStatus.PAID_OFF and ended.next_draft_date is None
    with pytest.raises(PortalChanged):
        payment_plan("HPP-1", {**SUMMARY, "Plan status": "Frozen"}, ROWS)
    with pytest.raises(PortalChanged):
        payment_plan("HPP-1", SUMMARY, [{**ROWS[0], "Status": "Bounced"}])
    with pytest.raises(PortalChanged):
        payment_plan("HPP-1", SUMMARY, [])
