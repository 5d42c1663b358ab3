"""The connection-session workflow's state and messages (one session per connection)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.audit import Actor, unattributed
from models.failure_evidence import FailureEvidence
from models.sessions import MfaChallenge
from models.settings import Settings

# The session workflow's name and the messages other layers send it by name: an activity
# cannot import the workflow (imports point one way), so both sides use these constants.
SESSION_WORKFLOW = "ConnectionSessionWorkflow"
ACQUIRE_UPDATE = "acquire"
# The signal by which a session workflow answers requesters it registered (see AcquireSession).
SESSION_READY_SIGNAL = "session_ready"


# Every portal's one-time code: 4 to 8 digits (MfaCodeSubmission.is_well_formed).
_MFA_CODE = re.compile(r"\d{4,8}")
MALFORMED_CODE = "an MFA code is 4 to 8 digits"


def session_workflow_id(connection_id: str) -> str:
    return f"session-{connection_id}"


class SessionStatus(StrEnum):
    SIGNED_OUT = "signed_out"
    SIGNING_IN = "signing_in"
    AWAITING_MFA = "awaiting_mfa"
    ACTIVE = "active"
    LOGIN_REQUIRED = "login_required"  # the portal refused the stored password: repair needed


class SessionLease(BaseModel):
    """A reference to encrypted browser state that is signed in to the connection's portal."""

    connection_id: str
    state_id: str


class AcquireSession(BaseModel):
    """Ask for a signed-in session; ``stale_state_id`` reports one the portal expired.

    When no session is ready, the requester is registered and answered later by the
    ``session_ready`` signal, so nobody holds an activity slot while a person reads an SMS.
    """

    requester_workflow_id: str
    stale_state_id: str | None = None
    fail_fast: bool = False  # fail at once instead of waiting while login is required


class SessionGrant(BaseModel):
    """The ``acquire`` answer: a lease now, or ``None`` when the reply comes by signal."""

    lease: SessionLease | None = None


class SessionReply(BaseModel):
    """Sent by signal to every registered requester once a login ends, either way."""

    lease: SessionLease | None = None
    error_type: str | None = None
    error_message: str | None = None
    # What the sign-in's browser saw when the portal changed (PortalChanged at the password
    # or code page): the requester's own failure then names the same artifacts as a failure
    # of its own step would. None in replies sent before it, and for other failures.
    evidence: FailureEvidence | None = None


class PendingChallenge(BaseModel):
    method: str
    masked_destination: str | None = None
    attempts_left: int
    raised_at: datetime
    expires_at: datetime


class MfaCodeSubmission(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    requested_by: Actor = Field(default_factory=unattributed)  # audited; the code never is

    def is_well_formed(self) -> bool:
        """Whether a portal could accept it: 4 to 8 digits (checked before it is sent)."""
        return _MFA_CODE.fullmatch(self.code.strip()) is not None


class OpenSession(BaseModel):
    """The ``open`` Update (the HTTP API's ``POST /sessions``): sign in if signed out."""

    requested_by: Actor = Field(default_factory=unattributed)


class CredentialsReplacement(BaseModel):
    """Sent with ``credentials_replaced``: who stored the new password (for the audit trail)."""

    requested_by: Actor = Field(default_factory=unattributed)


class MfaSubmissionResult(BaseModel):
    accepted: bool
    attempts_left: int
    message: str
    # Why a code was not accepted, as a BillBridge error type (MfaRejected, MfaCodeExpired,
    # PortalInMaintenance, InvalidInput, or what failed the login): callers branch on it.
    failure_type: str | None = None


class SessionView(BaseModel):
    """What the ``state`` query shows: never a code, a password or a cookie."""

    connection_id: str
    status: SessionStatus
    challenge: PendingChallenge | None = None
    last_error: str | None = None
    # The BillBridge error type of the last failed login (PortalChanged, BadCredentials…).
    last_error_type: str | None = None
    # A changed sign-in page's screenshot and trace keys (what the operator hold shows).
    last_error_evidence: FailureEvidence | None = None
    last_mfa_result: MfaSubmissionResult | None = None
    logins: int = 0
    waiting_workflows: int = 0  # business workflows waiting for this login to end
    # While a sign-in waits out the portal's maintenance window: when the portal said it ends.
    maintenance_until: datetime | None = None


class SessionWorkflowInput(BaseModel):
    connection_id: str
    mfa_timeout_seconds: int = 600
    max_mfa_attempts: int = 3
    history_limit: int = 2_000  # events; then continue-as-new
    # Carried across continue-as-new so the session survives it.
    state_id: str | None = None
    status: SessionStatus = SessionStatus.SIGNED_OUT
    logins: int = 0
    waiters: dict[str, bool] = Field(default_factory=dict)  # requester id -> fail_fast
    # Why the last login failed and what the last code got, so a repair-waiting session
    # still says why after continue-as-new, and a Signal sender can still read its outcome.
    last_error: str | None = None
    last_error_type: str | None = None
    last_error_evidence: FailureEvidence | None = None
    last_mfa_result: MfaSubmissionResult | None = None
    # A login was asked for (new credentials, ``open``) and has not started yet.
    login_wanted: bool = False


def session_start(connection_id: str, settings: Settings) -> SessionWorkflowInput:
    """How a connection's session workflow starts, whoever starts it (a payment, the API)."""
    return SessionWorkflowInput(
        connection_id=connection_id,
        mfa_timeout_seconds=settings.mfa_timeout_seconds,
        history_limit=settings.session_history_limit,
    )


class BeginLogin(BaseModel):
    connection_id: str


class LoginStep(BaseModel):
    """After the password: signed in (``state_id``) or stopped at a challenge."""

    state_id: str | None = None
    preauth_state_id: str | None = None
    challenge: MfaChallenge | None = None


class CodeEntry(BaseModel):
    connection_id: str
    preauth_state_id: str
    code: str


class CodeOutcome(BaseModel):
    accepted: bool
    state_id: str | None = None


class DiscardStates(BaseModel):
    connection_id: str
    state_ids: list[str]


class ResendRequest(BaseModel):
    connection_id: str
    preauth_state_id: str


class ObtainSession(BaseModel):
    connection_id: str
    requester_workflow_id: str
    stale_state_id: str | None = None
    fail_fast: bool = False
