"""Who did what: the actor behind a request and the audit trail's records.

Audit details hold identifiers and amounts only (statement id, connection id, confirmation
number, cents): never names, codes, passwords or tokens beyond their last 4 characters.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ActorKind(StrEnum):
    API_KEY = "api_key"
    OPERATOR = "operator"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who asked for an action: an API key's id, an operator's login, or BillBridge itself."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    id: str = Field(min_length=1, max_length=128)


def unattributed() -> Actor:
    """The actor of requests made before actors were recorded (old inputs stay valid)."""
    return Actor(kind=ActorKind.SYSTEM, id="unattributed")


class AuditAction(StrEnum):
    PAYMENT_POSTED = "payment.posted"
    PAYMENT_FAILED = "payment.failed"
    # An operator's decision on a payment held after its portal changed (operator_hold.py).
    PAYMENT_RETRIED = "payment.retried"
    PAYMENT_CANCELLED = "payment.cancelled"
    MFA_CODE_SUBMITTED = "mfa.code_submitted"
    CREDENTIALS_REPLACED = "credentials.replaced"
    PLAN_CHANGED = "plan.changed"
    # Found by reconciliation: the card network took a posted payment back.
    PAYMENT_CHARGED_BACK = "payment.charged_back"
    DEPOSIT_COLLECTED = "deposit.collected"
    DEPOSIT_FAILED = "deposit.failed"
    DEPOSIT_APPLIED = "deposit.applied"
    REFUND_POSTED = "refund.posted"
    REFUND_FAILED = "refund.failed"
    PAYMENT_VOIDED = "payment.voided"
    PLAN_ENROLLED = "plan.enrolled"
    PLAN_ENROLLMENT_FAILED = "plan.enrollment_failed"
    PLAN_PAUSED = "plan.paused"
    PLAN_RESUMED = "plan.resumed"
    PLAN_CANCELLED = "plan.cancelled"
    PLAN_INSTALLMENT_DRAFTED = "plan.installment_drafted"


AuditDetail = str | int | bool | None


class AuditRecord(BaseModel):
    """What a workflow asks the audit activity to append.

    ``entry_id`` is the same on every attempt of the activity, so a retry after a lost
    answer finds its entry and writes nothing twice.
    """

    entry_id: str = Field(min_length=1, max_length=512)
    at: datetime
    actor: Actor
    action: AuditAction
    workflow_id: str
    run_id: str
    outcome: str
    details: dict[str, AuditDetail] = Field(default_factory=dict)


class AuditEntry(AuditRecord):
    """One line of the audit log: the record, its place in the chain and the chain's MAC."""

    seq: int = Field(ge=1)
    prev_hash: str
    hash: str


class AuditReceipt(BaseModel):
    """The audit activity's answer: where the entry sits, and whether it was already there."""

    seq: int
    hash: str
    already_recorded: bool


def last4(value: str) -> str:
    """Enough of a token or reference to recognize it, too little to use it."""
    return value[-4:]
