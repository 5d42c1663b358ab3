"""Sessions and credentials as the HTTP API takes and shows them.

A connection has one portal session (its session workflow); the session's id is derived
from the connection's (``conn_x`` → ``sess_x``), so it is stable across logins and
continue-as-new, and a session is found within its tenant through its connection.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from models.api_connections import ConnectionStatus, MfaChallengePublic
from models.failure_evidence import FailureEvidence

CONNECTION_PREFIX = "conn_"
SESSION_PREFIX = "sess_"


def session_id_of(connection_id: str) -> str:
    return SESSION_PREFIX + connection_id.removeprefix(CONNECTION_PREFIX)


def connection_id_of(session_id: str) -> str | None:
    """The connection a session id stands for; None when it is no session id."""
    if not session_id.startswith(SESSION_PREFIX) or len(session_id) == len(SESSION_PREFIX):
        return None
    return CONNECTION_PREFIX + session_id.removeprefix(SESSION_PREFIX)


class SessionOpen(BaseModel):
    connection_id: str = Field(min_length=1, max_length=64)


class MfaCodeBody(BaseModel):
    code: str = Field(
        min_length=1, max_length=32, description="the one-time code the portal sent (4-8 digits)"
    )


class SessionPublic(BaseModel):
    object: Literal["session"] = "session"
    id: str
    connection_id: str
    status: ConnectionStatus
    mfa_challenge: MfaChallengePublic | None = None
    last_error: str | None = Field(
        default=None, description="why the last login failed, while it is the latest word"
    )
    last_error_code: str | None = Field(
        default=None,
        description="the last failed login's typed code (portal_changed, invalid_credentials…)",
    )
    last_error_evidence: FailureEvidence | None = Field(
        default=None,
        description=(
            "portal_changed at sign-in: the artifact keys of the screenshot and the Playwright "
            "trace of the page the adapter did not recognise (sealed in BillBridge's artifact "
            "store, for its operators)"
        ),
    )


class CredentialsReplace(BaseModel):
    """New credentials for a connection (after ``login_required``): stored, never shown."""

    username: SecretStr | None = Field(
        default=None, description="only when the login name changed too"
    )
    password: SecretStr = Field(min_length=1, description="stored straight into the secret store")
    totp_secret: SecretStr | None = Field(
        default=None, description="a new TOTP secret, if BillBridge answers MFA itself"
    )
