"""Tenants' API keys: created with scopes, shown once, stored as a hash, revoked for good.

A key reads ``bbk_<key id hex>_<secret>``: the id part finds the row without a scan, the
secret (256 random bits) is compared by hash in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.api_keys import ApiKeyCreated, ApiKeyPublic, Scope, check_slug
from models.errors import InvalidInput
from models.pages import Page, PageRequest
from stores.read_model.paging import page_rows
from stores.read_model.tables import ApiKeyRow, TenantRow

KEY_PREFIX = "bbk_"
ID_PREFIX = "key_"


class ApiKeyNotFound(LookupError):
    """No key with that id (in that tenant)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _public(row: ApiKeyRow) -> ApiKeyPublic:
    return ApiKeyPublic(
        id=row.id,
        tenant_id=row.tenant_id,
        name=row.name,
        scopes=[Scope(s) for s in row.scopes.split()],
        last4=row.last4,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class ApiKeys:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, tenant_id: str, name: str, scopes: Iterable[Scope]) -> ApiKeyCreated:
        """A new key for ``tenant_id`` (created on first use). Names are unique per tenant,
        revoked keys included, so an audit entry's actor names one key for good."""
        check_slug(tenant_id, "the tenant")
        check_slug(name, "the key name")
        chosen = sorted(set(scopes), key=list(Scope).index)
        if not chosen:
            raise InvalidInput("a key needs at least one scope")
        key_hex = secrets.token_hex(12)
        key = f"{KEY_PREFIX}{key_hex}_{secrets.token_urlsafe(32)}"
        now = self._clock()
        row = ApiKeyRow(
            id=f"{ID_PREFIX}{key_hex}",
            tenant_id=tenant_id,
            name=name,
            scopes=" ".join(chosen),
            secret_hash=_hash(key),
            last4=key[-4:],
            created_at=now,
        )
        with Session(self._engine) as session, session.begin():
            if session.scalar(select(TenantRow).where(TenantRow.id == tenant_id)) is None:
                session.add(TenantRow(id=tenant_id, created_at=now))
                session.flush()
            session.add(row)
            try:
                session.flush()
            except IntegrityError as err:
                raise InvalidInput(f"tenant {tenant_id} already has a key named {name}") from err
            public = _public(row)
        return ApiKeyCreated(**public.model_dump(), key=SecretStr(key))

    def authenticate(self, key: str) -> ApiKeyPublic | None:
        """The key's record when ``key`` is a live key, else None (unknown, revoked)."""
        if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
            return None
        key_hex = key[len(KEY_PREFIX) :].split("_", 1)[0]
        with Session(self._engine) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.id == f"{ID_PREFIX}{key_hex}"))
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.secret_hash, _hash(key)):
                return None
            return _public(row)

    def get(self, key_id: str, tenant_id: str | None = None) -> ApiKeyPublic:
        with Session(self._engine) as session:
            query = select(ApiKeyRow).where(ApiKeyRow.id == key_id)
            if tenant_id is not None:
                query = query.where(ApiKeyRow.tenant_id == tenant_id)
            row = session.scalar(query)
            if row is None:
                raise ApiKeyNotFound(key_id)
            return _public(row)

    def list(self, request: PageRequest, tenant_id: str | None = None) -> Page[ApiKeyPublic]:
        """One page of keys, of one tenant or (for the operator's command) of all."""
        with Session(self._engine) as session:
            query = select(ApiKeyRow)
            if tenant_id is not None:
                query = query.where(ApiKeyRow.tenant_id == tenant_id)
            rows, has_more = page_rows(session, query, ApiKeyRow, request)
            return Page[ApiKeyPublic](data=[_public(r) for r in rows], has_more=has_more)

    def revoke(self, key_id: str, tenant_id: str | None = None) -> ApiKeyPublic:
        """Revoked at once and for good; revoking twice keeps the first time."""
        with Session(self._engine) as session, session.begin():
            query = select(ApiKeyRow).where(ApiKeyRow.id == key_id)
            if tenant_id is not None:
                query = query.where(ApiKeyRow.tenant_id == tenant_id)
            row = session.scalar(query)
            if row is None:
                raise ApiKeyNotFound(key_id)
            if row.revoked_at is None:
                row.revoked_at = self._clock()
            session.flush()
            return _public(row)
