"""The per-payment refund lock: one refund (or void) of a payment at a time.

The names are here, not in the lock workflow, because the activity that asks for the lock
(by update-with-start) sits below the workflows and must not import them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

REFUND_LOCK_WORKFLOW = "PaymentRefundLockWorkflow"
ACQUIRE_LOCK_UPDATE = "acquire"
RELEASE_LOCK_SIGNAL = "release"
# The signal by which the lock tells a queued requester that it holds the lock now.
LOCK_GRANTED_SIGNAL = "refund_lock_granted"


def refund_lock_workflow_id(connection_id: str, confirmation_number: str) -> str:
    return f"refund-lock-{connection_id}-{confirmation_number}"


class RefundLockInput(BaseModel):
    connection_id: str
    confirmation_number: str
    # Requesters queued when the previous run continued as new.
    queue: list[str] = Field(default_factory=list)
    holder: str | None = None


class AcquireRefundLock(BaseModel):
    """Sent by the ``acquire_refund_lock`` activity on behalf of a refund workflow."""

    model_config = ConfigDict(frozen=True)

    connection_id: str
    confirmation_number: str
    requester_workflow_id: str


class RefundLockGrant(BaseModel):
    """The Update's answer, at once: held now, or queued (the signal will follow)."""

    granted: bool
    position: int = 0  # how many requesters are ahead when queued


class ReleaseRefundLock(BaseModel):
    requester_workflow_id: str


class RefundLockGranted(BaseModel):
    lock_workflow_id: str
