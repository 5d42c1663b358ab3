"""What operators see of a session workflow: its search attributes and current details.

Status only, never a code, a password or patient data: both are stored unencrypted.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from models.connection_session import PendingChallenge, SessionStatus
    from models.maintenance import PortalMaintenance

CONNECTION_ATTRIBUTE = SearchAttributeKey.for_keyword("BillBridgeConnection")
AWAITING_MFA_ATTRIBUTE = SearchAttributeKey.for_bool("BillBridgeAwaitingMfa")


def session_details(
    status: SessionStatus,
    challenge: PendingChallenge | None,
    last_error: str | None,
    waiting_workflows: int,
    *,
    maintenance: PortalMaintenance | None = None,
) -> str:
    """The one line the Temporal UI shows for the session."""
    if maintenance is not None:
        details = maintenance.describe()
    elif status is SessionStatus.AWAITING_MFA and challenge is not None:
        where = f" sent to {challenge.masked_destination}" if challenge.masked_destination else ""
        details = (
            f"awaiting {challenge.method.upper()} code{where}, "
            f"expires {challenge.expires_at:%H:%M} UTC, "
            f"{challenge.attempts_left} attempts left"
        )
    elif status is SessionStatus.LOGIN_REQUIRED:
        details = f"login required: {last_error}"
    else:
        details = status.value.replace("_", " ")
    if waiting_workflows:
        details += f"; {waiting_workflows} workflow(s) waiting"
    return details
