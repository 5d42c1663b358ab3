"""HealthPay24's payment-plan pages into PlanRules and PaymentPlan.

The plan terms print the term and the retry delay with their units ("24 months",
"3 days"); a plan shows "—" for a next draft it no longer has and for an installment not
drafted yet. Like ``parsing``, anything unrecognised is PortalChanged, never a guess.
"""

from __future__ import annotations

import re
from datetime import date

from models.errors import PortalChanged
from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules, PlanStatus
from portals import parsing_common as common
from portals.healthpay24.parsing import day, money, note, payment_method

NONE_SHOWN = "—"
_MONTHS = re.compile(r"(?P<count>\d+) months?")
_DAYS = re.compile(r"(?P<count>\d+) days?")
_PLAN_STATUSES = {
    "Active": PlanStatus.ACTIVE,
    "Paused": PlanStatus.PAUSED,
    "Delinquent": PlanStatus.DELINQUENT,
    "Cancelled": PlanStatus.CANCELLED,
    "Paid off": PlanStatus.PAID_OFF,
}
_INSTALLMENT_STATUSES = {
    "Scheduled": InstallmentStatus.SCHEDULED,
    "Paid": InstallmentStatus.DRAFTED,
    "Declined": InstallmentStatus.FAILED,
    "Skipped": InstallmentStatus.SKIPPED,
}


def plan_rules(statement_id: str, terms: dict[str, str]) -> PlanRules:
    if terms["Statement"] != statement_id:
        raise PortalChanged("plans: the plan terms name another statement")
    return PlanRules(
        statement_id=statement_id,
        balance=money(terms["Amount due"], "amount due"),
        min_balance=money(terms["Minimum amount due for a plan"], "minimum amount due"),
        min_installment=money(terms["Minimum monthly installment"], "minimum installment"),
        max_term_months=_count(_MONTHS, terms["Longest plan"], "longest plan"),
        retry_after_days=_count(_DAYS, terms["Declined draft retried after"], "retry delay"),
        max_draft_retries=_count(
            re.compile(r"(?P<count>\d+)"), terms["Retries before the plan is delinquent"],
            "draft retries",
        ),
    )  # fmt: skip


def plan_status(text: str) -> PlanStatus:
    return common.lookup(_PLAN_STATUSES, text, "a plan has a status the adapter does not know")


def payment_plan(plan_id: str, fields: dict[str, str], rows: list[dict[str, str]]) -> PaymentPlan:
    if not rows:
        raise PortalChanged("plans: the plan lists no installments")
    _, last4 = payment_method(fields["Autopay from"])
    return PaymentPlan(
        plan_id=plan_id,
        statement_id=fields["Statement"],
        reference=note(fields["Plan note"]),
        status=plan_status(fields["Plan status"]),
        installment_amount=money(fields["Monthly installment"], "monthly installment"),
        method_last4=last4,
        remaining_balance=money(fields["Remaining balance"], "remaining balance"),
        next_draft_date=_optional_day(fields["Next draft"], "next draft"),
        installments=[_installment(row) for row in rows],
    )


def _installment(row: dict[str, str]) -> Installment:
    confirmation = row["Confirmation"].strip()
    return Installment(
        number=_count(re.compile(r"(?P<count>\d+)"), row["Installment"], "installment number"),
        due_date=day(row["Due date"], "installment due date"),
        amount=money(row["Amount"], "installment amount"),
        status=common.lookup(
            _INSTALLMENT_STATUSES, row["Status"],
            "an installment has a status the adapter does not know",
        ),
        attempts=_count(re.compile(r"(?P<count>\d+)"), row["Draft attempts"], "draft attempts"),
        confirmation_number=None if confirmation == NONE_SHOWN else confirmation,
    )  # fmt: skip


def _optional_day(text: str, field: str) -> date | None:
    return None if text.strip() == NONE_SHOWN else day(text, field)


def _count(pattern: re.Pattern[str], text: str, field: str) -> int:
    match = pattern.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(f"plans: {field} is not shown as expected")
    return int(match["count"])
