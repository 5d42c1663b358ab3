"""Reading a plan's drafts: which installment is next, when to look, what changed.

Pure and deterministic: the plan workflow decides with these from the plans the portal
returned, so its decisions replay the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.plans import Installment, InstallmentStatus, PaymentPlan, PlanRules
    from workflows.policies import (
        DRAFT_CHECK_DELAY,
        DRAFT_RECHECK_INTERVAL,
        DRAFT_RECHECKS,
        OVERDUE_DRAFT_RECHECK,
    )

_OPEN = (InstallmentStatus.SCHEDULED, InstallmentStatus.FAILED)


def due_installment(plan: PaymentPlan) -> Installment | None:
    """The installment the portal drafts next: the first one not drafted or skipped."""
    open_ones = [i for i in plan.installments if i.status in _OPEN]
    return min(open_ones, key=lambda i: i.number) if open_ones else None


def expected_draft_date(plan: PaymentPlan, rules: PlanRules) -> date | None:
    """The day the portal should draft next: its own next draft date, and for a failed
    draft no earlier than its retry schedule (due date + attempts × retry interval)."""
    installment = due_installment(plan)
    if installment is None:
        return plan.next_draft_date
    expected = plan.next_draft_date or installment.due_date
    if installment.status is InstallmentStatus.FAILED:
        retry = installment.due_date + timedelta(days=rules.retry_after_days * installment.attempts)
        expected = max(expected, retry)
    return expected


def first_check_at(draft_date: date) -> datetime:
    return datetime.combine(draft_date, time(), tzinfo=UTC) + DRAFT_CHECK_DELAY


def next_check_at(draft_date: date, now: datetime, rechecks_done: int) -> datetime:
    """When to look at the portal: an hour into the draft's day, then a few more times that
    day should the portal draft later, then daily."""
    first = first_check_at(draft_date)
    if first > now:
        return first
    if rechecks_done < DRAFT_RECHECKS:
        return now + DRAFT_RECHECK_INTERVAL
    return now + OVERDUE_DRAFT_RECHECK


def failed_attempts(installment: Installment) -> int:
    """Draft attempts that failed: all of a failed installment's, all but the last of a
    drafted one's."""
    if installment.status is InstallmentStatus.DRAFTED:
        return max(installment.attempts - 1, 0)
    if installment.status is InstallmentStatus.FAILED:
        return installment.attempts
    return 0


def unreported_failures(
    plan: PaymentPlan, reported: dict[int, int]
) -> list[tuple[Installment, int]]:
    """(installment, failed attempt number) for each failed attempt not yet reported."""
    found: list[tuple[Installment, int]] = []
    for installment in sorted(plan.installments, key=lambda i: i.number):
        already = reported.get(installment.number, 0)
        found += [(installment, n) for n in range(already + 1, failed_attempts(installment) + 1)]
    return found


def newly_drafted(plan: PaymentPlan, reported: list[int]) -> list[Installment]:
    return [
        i
        for i in sorted(plan.installments, key=lambda i: i.number)
        if i.status is InstallmentStatus.DRAFTED and i.number not in reported
    ]
