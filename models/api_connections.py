"""Connections as the HTTP API takes and shows them: credentials in, never out.

The status is the aggregators' (Plaid's Items): what a caller can act on, read from the
connection's session workflow (``models/connection_session.SessionView``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr

from models.connection_session import SessionStatus, SessionView
from models.connections import PortalName
from models.errors import PortalChanged


class ConnectionCreate(BaseModel):
    portal: PortalName
    base_url: AnyHttpUrl
    username: SecretStr = Field(description="the portal login; stored, never shown again")
    password: SecretStr = Field(description="stored straight into the secret store")
    totp_secret: SecretStr | None = Field(
        default=None, description="the login's TOTP secret, if BillBridge answers MFA itself"
    )


class ConnectionStatus(StrEnum):
    ACTIVE = "active"  # signed in: processes run without a person
    MFA_REQUIRED = "mfa_required"  # a login waits for a one-time code
    LOGIN_REQUIRED = "login_required"  # the portal refused the password: new credentials
    SIGNING_IN = "signing_in"
    SIGNED_OUT = "signed_out"  # no session yet, or the last login failed (see last_error)
    PORTAL_CHANGED = "portal_changed"  # the last login met a portal unlike the adapter's


_FROM_SESSION = {
    SessionStatus.ACTIVE: ConnectionStatus.ACTIVE,
    SessionStatus.AWAITING_MFA: ConnectionStatus.MFA_REQUIRED,
    SessionStatus.LOGIN_REQUIRED: ConnectionStatus.LOGIN_REQUIRED,
    SessionStatus.SIGNING_IN: ConnectionStatus.SIGNING_IN,
    SessionStatus.SIGNED_OUT: ConnectionStatus.SIGNED_OUT,
}


class MfaChallengePublic(BaseModel):
    method: str
    masked_destination: str | None
    attempts_left: int
    expires_at: datetime


class ConnectionPublic(BaseModel):
    object: Literal["connection"] = "connection"
    id: str
    portal: PortalName
    base_url: str
    status: ConnectionStatus
    session_started: bool = Field(
        description="false until a process first asked for this connection's session"
    )
    mfa_challenge: MfaChallengePublic | None = None
    last_error: str | None = None
    created_at: datetime
    synced_at: datetime | None = None


def status_of(view: SessionView | None) -> tuple[ConnectionStatus, MfaChallengePublic | None]:
    """A session's state as the connection status; no session yet is signed out."""
    if view is None:
        return ConnectionStatus.SIGNED_OUT, None
    challenge = None
    if view.challenge is not None and view.status is SessionStatus.AWAITING_MFA:
        challenge = MfaChallengePublic(
            method=view.challenge.method,
            masked_destination=view.challenge.masked_destination,
            attempts_left=view.challenge.attempts_left,
            expires_at=view.challenge.expires_at,
        )
    if view.status is SessionStatus.SIGNED_OUT and view.last_error_type == PortalChanged.__name__:
        # Retrying will not help until the adapter is fixed: say so, not just signed_out.
        return ConnectionStatus.PORTAL_CHANGED, None
    return _FROM_SESSION[view.status], challenge


class ConnectionRecord(BaseModel):
    """What the read model keeps of a tenant's connection (no credential)."""

    id: str
    tenant_id: str
    portal: PortalName
    base_url: str
    created_at: datetime
    synced_at: datetime | None = None
