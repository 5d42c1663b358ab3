"""What a plan and an installment can be (the values BillBridge's plan models use too)."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    DELINQUENT = "delinquent"  # the draft retries ran out: autopay stopped
    CANCELLED = "cancelled"
    PAID_OFF = "paid_off"


# Autopay drafts (active) or will again (paused); a delinquent plan can still be cancelled.
OPEN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.PAUSED)


class InstallmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DRAFTED = "drafted"
    FAILED = "failed"  # declined; retried on ``next_attempt_on`` unless the retries ran out
    SKIPPED = "skipped"  # due while the plan was paused, or left when the plan ended
