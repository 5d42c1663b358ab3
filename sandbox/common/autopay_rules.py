"""Each portal's plan rules, and the refusals they give an enrollment or a change."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sandbox.common.autopay_schedule import installment_count


@dataclass(frozen=True)
class PlanRules:
    """What a portal's plan offer allows (each vendor configures its own)."""

    min_balance_cents: int
    min_installment_cents: int
    max_term_months: int
    retry_after_days: int
    max_draft_retries: int


# Per vendor, after what each publishes: Cedar's short patient-friendly plans, Patientco's
# longer health-system plans with more retries, HealthPay24's long low-payment plans.
RULES: dict[str, PlanRules] = {
    "cedar": PlanRules(min_balance_cents=5000, min_installment_cents=1500, max_term_months=18,
                       retry_after_days=3, max_draft_retries=2),
    "patientco": PlanRules(min_balance_cents=7500, min_installment_cents=2500,
                           max_term_months=36, retry_after_days=5, max_draft_retries=3),
    "healthpay24": PlanRules(min_balance_cents=2500, min_installment_cents=1000,
                             max_term_months=60, retry_after_days=7, max_draft_retries=1),
}  # fmt: skip


class Refusal(StrEnum):
    """Why the portal refuses an enrollment or a change (each vendor words it its own way)."""

    BALANCE_TOO_SMALL = "balance_too_small"
    INSTALLMENT_TOO_SMALL = "installment_too_small"
    INSTALLMENT_COVERS_BALANCE = "installment_covers_balance"
    TERM_TOO_LONG = "term_too_long"
    PLAN_EXISTS = "plan_exists"
    PLAN_NOT_OPEN = "plan_not_open"
    # Every installment left has been attempted (a declined one awaits its retry).
    NOTHING_TO_RESCHEDULE = "nothing_to_reschedule"


class PlanRefused(Exception):
    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(", ".join(refusals))
        self.refusals = refusals


def amount_refusals(
    rules: PlanRules, balance_cents: int, installment_cents: int, *, months_used: int,
    enrolling: bool = False,
) -> list[Refusal]:  # fmt: skip
    """What the rules say to ``installment_cents`` a month on ``balance_cents``, with
    ``months_used`` of the term already behind the plan."""
    if installment_cents < rules.min_installment_cents:
        return [Refusal.INSTALLMENT_TOO_SMALL]
    # A plan of one installment is a payment; a change may pay the rest off at once.
    if enrolling and installment_cents >= balance_cents:
        return [Refusal.INSTALLMENT_COVERS_BALANCE]
    if months_used + installment_count(balance_cents, installment_cents) > rules.max_term_months:
        return [Refusal.TERM_TOO_LONG]
    return []
