"""The console's payment plan screens as PlanRules and PaymentPlan.

Patientco words a delinquent plan "Delinquent", a paid-off one "Paid in full", a drafted
installment "Drafted" and a declined one "Returned" (its next retry in its own column).
"""

from __future__ import annotations

import re

from models.errors import InvalidAmount, PlanRefused, PortalChanged, UnknownPaymentMethod
from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules, PlanStatus
from portals import parsing_common as common
from portals.patientco import parsing
from portals.refusals import Refusal, refusal

_PLAN_STATUSES = {"Active": PlanStatus.ACTIVE, "Paused": PlanStatus.PAUSED,
                  "Delinquent": PlanStatus.DELINQUENT, "Cancelled": PlanStatus.CANCELLED,
                  "Paid in full": PlanStatus.PAID_OFF}  # fmt: skip
_DRAFT_STATUSES = {"Scheduled": InstallmentStatus.SCHEDULED, "Drafted": InstallmentStatus.DRAFTED,
                   "Returned": InstallmentStatus.FAILED,
                   "Skipped": InstallmentStatus.SKIPPED}  # fmt: skip
_MONTHS = re.compile(r"(?P<count>\d+) months")
_EVERY_DAYS = re.compile(r"every (?P<count>\d+) days")
_COUNT = re.compile(r"(?P<count>\d+)")
# Every plan-form error means nothing was enrolled or saved.
_PLAN_FORM_REFUSALS = (
    Refusal(("payment method on file",), UnknownPaymentMethod,
            "the payment method is not on file at the portal"),
    Refusal(("balance is under the plan minimum",), PlanRefused,
            "the statement's balance is below the portal's minimum for a plan"),
    Refusal(("under the plan minimum installment",), PlanRefused,
            "the installment is below the portal's minimum"),
    Refusal(("covers the whole balance",), PlanRefused,
            "the installment must be less than the balance"),
    Refusal(("exceeds the maximum term",), PlanRefused,
            "the plan would run longer than the portal's maximum term"),
    Refusal(("already on a payment plan",), PlanRefused, "the statement already has a plan"),
    Refusal(("closed and cannot be edited",), PlanRefused,
            "the plan has ended and cannot be changed"),
    Refusal(("no scheduled drafts are left",), PlanRefused,
            "no installment is left to take a new amount"),
    Refusal(("in us dollars",), InvalidAmount, "the portal refused the amount"),
    Refusal(("more than usd 0.00",), InvalidAmount, "the portal refused the amount"),
)  # fmt: skip


def plan_rules(statement_id: str, facts: dict[str, str]) -> PlanRules:
    return PlanRules(
        statement_id=statement_id,
        balance=parsing.money(facts["Statement balance"], "statement balance"),
        min_balance=parsing.money(facts["Minimum plan balance"], "minimum plan balance"),
        min_installment=parsing.money(facts["Minimum installment"], "minimum installment"),
        max_term_months=_count(_MONTHS, facts["Maximum term"], "maximum term"),
        retry_after_days=_count(_EVERY_DAYS, facts["Returned draft retry"], "retry interval"),
        max_draft_retries=_count(_COUNT, facts["Draft retries"], "draft retries"),
    )


def payment_plan(plan_id: str, facts: dict[str, str], rows: list[dict[str, str]]) -> PaymentPlan:
    _, last4 = parsing.payment_method(facts["Draft method"])
    return PaymentPlan(
        plan_id=plan_id,
        statement_id=facts["Statement #"],
        reference=parsing.reference(facts["Reference"]),
        status=common.lookup(_PLAN_STATUSES, facts["Plan status"], "a plan has an unknown status"),
        installment_amount=parsing.money(facts["Installment"], "installment"),
        method_last4=last4,
        remaining_balance=parsing.money(facts["Remaining balance"], "remaining balance"),
        next_draft_date=parsing.optional_day(facts["Next draft date"], "next draft date"),
        installments=[installment(row) for row in rows],
    )


def installment(row: dict[str, str]) -> Installment:
    transaction = row["Transaction ID"].strip()
    try:
        number, attempts = int(row["#"]), int(row["Attempts"])
    except ValueError:
        raise PortalChanged("a draft's number or attempts is not a number") from None
    return Installment(
        number=number,
        due_date=parsing.day(row["Draft date"], "draft date"),
        amount=parsing.money(row["Amount"], "draft amount"),
        status=common.lookup(_DRAFT_STATUSES, row["Draft status"], "a draft has an unknown status"),
        attempts=attempts,
        confirmation_number=None if transaction in ("", "—") else transaction,
    )


def plan_form_refusal(errors: list[str], step: str) -> Exception:
    return refusal(errors, _PLAN_FORM_REFUSALS,
                   f"{step}: the console refused the plan for an unknown reason")  # fmt: skip


def _count(pattern: re.Pattern[str], text: str, field: str) -> int:
    match = pattern.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(f"{field} is not shown in the expected format")
    return int(match["count"])
