"""The plan pages' text as PlanRules and PaymentPlan, for Cedar and Patientco; any text the
adapter does not know is PortalChanged, never a guess."""

from __future__ import annotations

from datetime import date

import pytest

from models.errors import InvalidAmount, PlanRefused, PortalChanged, UnknownPaymentMethod
from models.money import Money
from models.plans import InstallmentStatus, PlanStatus
from portals.cedar import plan_parsing as cedar
from portals.patientco import plan_parsing as patientco

CEDAR_TERMS = {
    "Balance due": "$223.70", "Minimum balance for a plan": "$50.00",
    "Minimum monthly payment": "$15.00", "Longest plan": "18 months",
    "Retry after a failed payment": "3 days", "Retries before the plan is past due": "2",
}  # fmt: skip
CEDAR_SUMMARY = {
    "Statement": "ST-100134", "Status": "Active", "Monthly payment": "$55.93",
    "Paid with": "Visa ending in 4242", "Remaining balance": "$167.77",
    "Next payment": "Aug 30, 2025", "Enrolled on": "Jun 30, 2025", "Reference": "bb-plan-1",
}  # fmt: skip
PATIENTCO_TERMS = {
    "Statement balance": "USD 802.97", "Minimum plan balance": "USD 75.00",
    "Minimum installment": "USD 25.00", "Maximum term": "36 months",
    "Returned draft retry": "every 5 days", "Draft retries": "3",
}  # fmt: skip
PATIENTCO_DETAILS = {
    "Account #": "7127129", "Statement #": "PS204197", "Plan status": "Delinquent",
    "Installment": "USD 66.92", "Draft method": "Visa x0002",
    "Remaining balance": "USD 802.97", "Next draft date": "—", "Enrolled": "06/30/2025",
    "Reference": "bb-plan-2",
}  # fmt: skip


def test_cedar_plan_terms_are_its_rules() -> None:
    rules = cedar.plan_rules("ST-100134", CEDAR_TERMS)
    assert rules.balance == Money(amount_cents=22370)
    assert rules.min_installment == Money(amount_cents=1500)
    assert (rules.max_term_months, rules.retry_after_days, rules.max_draft_retries) == (18, 3, 2)


def test_a_cedar_plan_with_a_drafted_and_a_failed_installment() -> None:
    rows = [
        {"Installment": "1", "Due date": "Jul 30, 2025", "Amount": "$55.93", "Status": "Paid",
         "Attempts": "1", "Confirmation": "CDR-ABCD1234"},
        {"Installment": "2", "Due date": "Aug 30, 2025", "Amount": "$55.93",
         "Status": "Payment failed (retry on Sep 2, 2025)", "Attempts": "1", "Confirmation": "—"},
    ]  # fmt: skip
    plan = cedar.payment_plan("PLN-XY12AB34", CEDAR_SUMMARY, rows)
    assert plan.status is PlanStatus.ACTIVE and plan.method_last4 == "4242"
    assert plan.next_draft_date == date(2025, 8, 30)
    assert [(i.status, i.confirmation_number) for i in plan.installments] == [
        (InstallmentStatus.DRAFTED, "CDR-ABCD1234"), (InstallmentStatus.FAILED, None),
    ]  # fmt: skip


def test_cedar_past_due_is_delinquent_and_an_ended_plan_has_no_next_payment() -> None:
    summary = {**CEDAR_SUMMARY, "Status": "Past due", "Next payment": "—"}
    plan = cedar.payment_plan("PLN-1", summary, [])
    assert plan.status is PlanStatus.DELINQUENT and plan.next_draft_date is None


@pytest.mark.parametrize(
    ("terms", "summary"),
    [
        ({**CEDAR_TERMS, "Longest plan": "18"}, None),
        ({**CEDAR_TERMS, "Retry after a failed payment": "three days"}, None),
        (None, {**CEDAR_SUMMARY, "Status": "On hold"}),
        (None, {**CEDAR_SUMMARY, "Paid with": "Visa 4242"}),
    ],
)
def test_unknown_cedar_text_is_portal_changed(
    terms: dict[str, str] | None, summary: dict[str, str] | None
) -> None:
    with pytest.raises(PortalChanged):
        if terms is not None:
            cedar.plan_rules("ST-1", terms)
        else:
            assert summary is not None
            cedar.payment_plan("PLN-1", summary, [])


@pytest.mark.parametrize(
    ("alert", "error"),
    [
        ("Monthly payment is below the minimum monthly payment.", PlanRefused),
        ("That plan would run longer than the longest plan offered. Choose a higher monthly "
         "payment.", PlanRefused),
        ("This statement already has a payment plan.", PlanRefused),
        ("That payment method is not on file. Choose one of your saved payment methods.",
         UnknownPaymentMethod),
        ("Enter a valid monthly payment, for example 25.00.", InvalidAmount),
        ("Something new the portal says.", PortalChanged),
    ],
)  # fmt: skip
def test_cedar_form_alerts_are_typed(alert: str, error: type[Exception]) -> None:
    assert isinstance(cedar.plan_form_refusal([alert], "plan_submit"), error)


def test_patientco_plan_terms_are_its_rules() -> None:
    rules = patientco.plan_rules("PS204197", PATIENTCO_TERMS)
    assert rules.min_balance == Money(amount_cents=7500)
    assert (rules.max_term_months, rules.retry_after_days, rules.max_draft_retries) == (36, 5, 3)
    with pytest.raises(PortalChanged):
        patientco.plan_rules("PS204197", {**PATIENTCO_TERMS, "Returned draft retry": "5 days"})


def test_a_delinquent_patientco_plan_with_its_returned_drafts() -> None:
    rows = [{"#": "1", "Draft date": "07/30/2025", "Amount": "USD 66.92",
             "Draft status": "Returned", "Next retry": "—", "Attempts": "4",
             "Transaction ID": "—"}]  # fmt: skip
    plan = patientco.payment_plan("PP-AB12CD34", PATIENTCO_DETAILS, rows)
    assert plan.status is PlanStatus.DELINQUENT and plan.next_draft_date is None
    assert plan.method_last4 == "0002"
    first = plan.installments[0]
    assert first.status is InstallmentStatus.FAILED and first.attempts == 4
    assert first.confirmation_number is None
    with pytest.raises(PortalChanged):
        patientco.payment_plan("PP-1", {**PATIENTCO_DETAILS, "Plan status": "Frozen"}, rows)
    assert isinstance(
        patientco.plan_form_refusal(["The plan exceeds the maximum term. Raise the installment "
                                     "amount."], "plan_submit"), PlanRefused
    )  # fmt: skip
