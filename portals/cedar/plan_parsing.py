"""Cedar's payment plan pages as PlanRules and PaymentPlan: terms, statuses, installments.

Cedar words a delinquent plan "Past due" and a drafted installment "Paid"; a failed one
reads "Payment failed (retry on Aug 4, 2025)" while Cedar still retries it.
"""

from __future__ import annotations

import re

from models.errors import InvalidAmount, PlanRefused, PortalChanged, UnknownPaymentMethod
from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules, PlanStatus
from portals import parsing_common as common
from portals.cedar import parsing
from portals.refusals import Refusal, refusal

_PLAN_STATUSES = {"Active": PlanStatus.ACTIVE, "Paused": PlanStatus.PAUSED,
                  "Past due": PlanStatus.DELINQUENT, "Cancelled": PlanStatus.CANCELLED,
                  "Paid off": PlanStatus.PAID_OFF}  # fmt: skip
_INSTALLMENT_STATUSES = {"Scheduled": InstallmentStatus.SCHEDULED,
                         "Paid": InstallmentStatus.DRAFTED,
                         "Payment failed": InstallmentStatus.FAILED,
                         "Skipped": InstallmentStatus.SKIPPED}  # fmt: skip
_RETRY_NOTE = re.compile(r"\s*\(retry on [^)]*\)$")
_COUNT = re.compile(r"(?P<count>\d+)(?: (?P<unit>months|days))?")
# Every plan-form error means nothing was enrolled or changed.
_PLAN_FORM_REFUSALS = (
    Refusal(("not on file",), UnknownPaymentMethod,
            "the payment method is not on file at the portal"),
    Refusal(("below the minimum for a payment plan",), PlanRefused,
            "the statement's balance is below the portal's minimum for a plan"),
    Refusal(("below the minimum monthly payment",), PlanRefused,
            "the installment is below the portal's minimum"),
    Refusal(("less than the balance due",), PlanRefused,
            "the installment must be less than the balance"),
    Refusal(("longer than the longest plan",), PlanRefused,
            "the plan would run longer than the portal's maximum term"),
    Refusal(("already has a payment plan",), PlanRefused, "the statement already has a plan"),
    Refusal(("has ended",), PlanRefused, "the plan has ended and cannot be changed"),
    Refusal(("already been attempted",), PlanRefused,
            "no installment is left to take a new amount"),
    Refusal(("valid monthly payment",), InvalidAmount, "the portal refused the amount"),
    Refusal(("greater than",), InvalidAmount, "the portal refused the amount"),
)  # fmt: skip


def plan_rules(statement_id: str, fields: dict[str, str]) -> PlanRules:
    return PlanRules(
        statement_id=statement_id,
        balance=parsing.money(fields["Balance due"], "balance due"),
        min_balance=parsing.money(fields["Minimum balance for a plan"], "minimum plan balance"),
        min_installment=parsing.money(fields["Minimum monthly payment"], "minimum installment"),
        max_term_months=count(fields["Longest plan"], "months", "longest plan"),
        retry_after_days=count(fields["Retry after a failed payment"], "days", "retry delay"),
        max_draft_retries=count(fields["Retries before the plan is past due"], None, "retries"),
    )


def count(text: str, unit: str | None, field: str) -> int:
    """18 from "18 months" (``unit`` "months"), 2 from "2" (no unit)."""
    match = _COUNT.fullmatch(text.strip())
    if match is None or match["unit"] != unit:
        raise PortalChanged(f"{field} is not a count in the expected format")
    return int(match["count"])


def payment_plan(plan_id: str, fields: dict[str, str], rows: list[dict[str, str]]) -> PaymentPlan:
    next_payment = fields["Next payment"].strip()
    return PaymentPlan(
        plan_id=plan_id,
        statement_id=fields["Statement"],
        reference=parsing.reference(fields["Reference"]),
        status=common.lookup(_PLAN_STATUSES, fields["Status"], "a plan has an unknown status"),
        installment_amount=parsing.money(fields["Monthly payment"], "monthly payment"),
        method_last4=parsing.card_last4(fields["Paid with"]),
        remaining_balance=parsing.money(fields["Remaining balance"], "remaining balance"),
        next_draft_date=None if next_payment in ("—", "-") else parsing.day(
            next_payment, "next payment"),
        installments=[installment(row) for row in rows],
    )  # fmt: skip


def installment(row: dict[str, str]) -> Installment:
    status = _RETRY_NOTE.sub("", row["Status"].strip())
    confirmation = parsing.reference(row["Confirmation"])
    try:
        number, attempts = int(row["Installment"]), int(row["Attempts"])
    except ValueError:
        raise PortalChanged("an installment's number or attempts is not a number") from None
    return Installment(
        number=number,
        due_date=parsing.day(row["Due date"], "installment due date"),
        amount=parsing.money(row["Amount"], "installment amount"),
        status=common.lookup(_INSTALLMENT_STATUSES, status, "an installment has an unknown status"),
        attempts=attempts,
        confirmation_number=confirmation or None,
    )


def plan_form_refusal(errors: list[str], step: str) -> Exception:
    return refusal(errors, _PLAN_FORM_REFUSALS,
                   f"{step}: the portal refused the plan for an unknown reason")  # fmt: skip
