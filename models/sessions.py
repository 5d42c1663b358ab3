"""Portal sign-in challenges: what a portal asks for after the password."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class MfaMethod(StrEnum):
    TOTP = "totp"  # an authenticator app: BillBridge can answer it from the stored secret
    SMS = "sms"  # a text message: only a person can read it
    EMAIL = "email"


class MfaChallenge(BaseModel):
    """A portal waiting for a one-time code. Safe to show and to keep in workflow history:
    it holds no code and no personal data beyond the portal's own masked destination."""

    model_config = ConfigDict(frozen=True)

    method: MfaMethod
    masked_destination: str | None = None  # "***-***-0112", as the portal shows it
    message: str  # the portal's short instruction, e.g. "We sent a code to ***-***-0112."
