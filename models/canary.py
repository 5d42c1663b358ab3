"""The connection canary: what its workflow takes and returns, what its activities exchange,
and the ids of its workflow runs and Schedule (docs/canary.md).

A canary walks a connection's portal read-only (signed in, statements, one open statement,
its pay form up to the step that moves money) and says whether the portal still looks as the
adapter expects. Only identifiers, step names and the adapter's own messages travel here:
never a page's text.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.connection_session import SessionLease

CANARY_WORKFLOW = "ConnectionCanaryWorkflow"
# An unattended canary waits this long for a signed-in session (a person's MFA code, the
# portal's maintenance during sign-in); then it says it could not look, which is not drift.
DEFAULT_CANARY_SESSION_WAIT_SECONDS = 300
DEFAULT_CANARY_EVERY_SECONDS = 3600


def canary_schedule_id(connection_id: str) -> str:
    return f"canary-{connection_id}"


def canary_workflow_id(connection_id: str, run: str) -> str:
    """A run by hand (``run`` names it); a scheduled one is the schedule id plus its time."""
    return f"canary-{connection_id}-{run}"


class CanaryStep(StrEnum):
    """Where the walk was when the portal differed from what the adapter expects."""

    SIGN_IN = "sign_in"
    SIGNED_IN = "signed_in"
    LIST_STATEMENTS = "list_statements"
    OPEN_STATEMENT = "open_statement"
    PAY_FORM = "pay_form"


class CanaryStatus(StrEnum):
    OK = "ok"
    DRIFT = "drift"
    # Not drift: the portal said it is in maintenance, or no session came within the bound.
    MAINTENANCE = "maintenance"
    NO_SESSION = "no_session"


class CanaryRequest(BaseModel):
    connection_id: str = Field(min_length=1, max_length=64)
    session_wait_seconds: int = Field(default=DEFAULT_CANARY_SESSION_WAIT_SECONDS, ge=1, le=86_400)


class CanaryWalk(BaseModel):
    lease: SessionLease


class CanaryObservation(BaseModel):
    """What one walk saw: ``drift`` with the step, the adapter's message and the screenshot's
    and trace's artifact keys, or ``ok`` (``statement_walked`` False when no statement was
    open to pay)."""

    status: CanaryStatus
    step: CanaryStep | None = None
    message: str | None = None
    screenshot_key: str | None = None
    trace_key: str | None = None
    statement_walked: bool = False


class CanaryOutcome(BaseModel):
    """A walk's verdict, kept as the connection's last canary state."""

    connection_id: str
    drifted: bool
    # The workflow run that reports it: a retried activity of the same run gets the same
    # answer instead of "already reported".
    run_id: str


class DriftNotice(BaseModel):
    report: bool  # True: a new drift (the last state was healthy), raise the event


class CanaryResult(BaseModel):
    connection_id: str
    status: CanaryStatus
    checked_at: datetime
    step: CanaryStep | None = None
    message: str | None = None
    screenshot_key: str | None = None
    trace_key: str | None = None
    statement_walked: bool = False
    # Whether this run raised connection.drift_detected (False for a drift already reported).
    reported: bool = False

    def describe(self) -> str:
        if self.status is CanaryStatus.DRIFT:
            told = "reported" if self.reported else "already reported"
            shot = f"; screenshot {self.screenshot_key}" if self.screenshot_key else ""
            shot += f"; trace {self.trace_key}" if self.trace_key else ""
            return f"drift at {self.step}: {self.message} ({told}{shot})"
        if self.status is CanaryStatus.OK:
            walked = "" if self.statement_walked else " (no open statement to walk the pay form)"
            return f"ok: the portal looks as the adapter expects{walked}"
        return f"{self.status.value}: {self.message}"
