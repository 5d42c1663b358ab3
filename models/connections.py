"""Connections: which portal, which login, and references to its secrets."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class PortalName(StrEnum):
    CEDAR = "cedar"
    PATIENTCO = "patientco"
    HEALTHPAY24 = "healthpay24"


class SecretRef(BaseModel):
    """A pointer into a secret store ("local:demo-cedar/password"); never the secret itself."""

    model_config = ConfigDict(frozen=True)

    ref: str = Field(pattern=r"^[a-z0-9_-]+:[A-Za-z0-9_./-]+$")

    def __str__(self) -> str:
        return self.ref


# What may name a connection; the CLI refuses any other id before it dials a server.
CONNECTION_ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class Connection(BaseModel):
    """One login at one portal. Stored in the connections file; workflows carry only its id."""

    id: str = Field(pattern=CONNECTION_ID_PATTERN)
    portal: PortalName
    base_url: str
    username: str
    password_ref: SecretRef
    totp_secret_ref: SecretRef | None = None
    # Where settlement files come over SFTP (HealthPay24): one secret holding a JSON
    # models.settlements.SftpLogin (host, port, login, host-key fingerprint, folder).
    settlement_sftp_ref: SecretRef | None = None


class Credentials(BaseModel):
    """Resolved secrets, alive only inside an activity; SecretStr keeps them out of reprs."""

    username: str
    password: SecretStr
    totp_secret: SecretStr | None = None
