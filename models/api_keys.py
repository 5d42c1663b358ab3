"""Tenants and their API keys as the HTTP API and the ``api-keys`` command show them.

A key is shown once, when it is created (``ApiKeyCreated.key``); afterwards only its id,
name, scopes and last four characters exist anywhere, the stored form being a hash.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from models.audit import Actor, ActorKind
from models.errors import InvalidInput

# Tenant ids and key names appear in audit records and logs: opaque slugs, never a person.
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"
_SLUG = re.compile(SLUG_PATTERN)


class Scope(StrEnum):
    READ = "read"
    PAYMENTS = "payments"
    REFUNDS = "refunds"
    PLANS = "plans"
    ADMIN = "admin"


def check_slug(value: str, field: str) -> str:
    """The value when it is a lower-case slug; InvalidInput naming the field otherwise."""
    if not _SLUG.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1-63 lower-case letters, digits, _ or - (starting with a letter "
            "or digit): it is written into the audit trail"
        )
    return value


class ApiKeyPublic(BaseModel):
    object: Literal["api_key"] = "api_key"
    id: str
    tenant_id: str
    name: str
    scopes: list[Scope]
    last4: str = Field(description="the key's last four characters, to tell keys apart")
    created_at: datetime
    revoked_at: datetime | None = None

    def actor(self) -> Actor:
        """Who the audit trail names for this key's requests: its tenant and name."""
        return Actor(kind=ActorKind.API_KEY, id=f"{self.tenant_id}/{self.name}")

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


class ApiKeyCreated(ApiKeyPublic):
    """The answer to creating a key: the only time the key itself is shown."""

    key: SecretStr
