"""Tenants' idempotency keys (IETF httpapi Idempotency-Key): which request a key was first
used for, and the operation it names.

The row is inserted before anything starts: the ``(tenant_id, idempotency_key)`` unique
constraint decides which of two concurrent requests with one key goes on (insert-first, on
SQLite and PostgreSQL alike), never a read-then-write. A key is first *accepting* (its
workflow not started yet) and then *accepted*; the same key with another request's
fingerprint is an ``IdempotencyConflict``; the same request while the first is still being
accepted is ``IdempotencyKeyInUse``. A claim abandoned by a process that died before it
started the workflow is taken over once it is older than ``stale_after``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.errors import IdempotencyConflict
from models.operations import IdempotencyState, OperationKind, OperationRecord
from models.pages import Page, PageRequest
from stores.read_model.paging import page_rows
from stores.read_model.tables import OperationRow, TenantRow

ID_PREFIX = "op_"
# Longer than any start of a workflow takes; a claim this old was abandoned.
STALE_CLAIM = timedelta(seconds=60)


class IdempotencyKeyInUse(Exception):
    """A request with this key is still being accepted; retry shortly (409)."""

    def __init__(self, operation_id: str) -> None:
        super().__init__(
            f"a request with this Idempotency-Key is still being accepted (operation "
            f"{operation_id}); retry it in a moment for that operation's answer"
        )
        self.operation_id = operation_id


class OperationNotFound(LookupError):
    """No operation with that id in that tenant."""


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: OperationRow) -> OperationRecord:
    return OperationRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        idempotency_key=row.idempotency_key,
        kind=OperationKind(row.kind),
        fingerprint=row.fingerprint,
        workflow_id=row.workflow_id,
        connection_id=row.connection_id,
        state=IdempotencyState(row.state),
        created_at=row.created_at,
        claimed_at=row.claimed_at,
    )


class IdempotencyKeys:
    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = _now,
        stale_after: timedelta = STALE_CLAIM,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._stale_after = stale_after

    def claim(
        self,
        tenant_id: str,
        idempotency_key: str,
        *,
        kind: OperationKind,
        fingerprint: str,
        workflow_id: str,
        connection_id: str,
    ) -> tuple[OperationRecord, bool]:
        """The key's operation, and True when this caller must start its workflow (a new
        key, or an abandoned claim taken over); False when it is already accepted."""
        for _ in range(3):  # a claim released between our insert and our read: try again
            now = self._clock()
            try:
                with Session(self._engine) as session, session.begin():
                    self._ensure_tenant(session, tenant_id, now)
                    row = OperationRow(
                        id=f"{ID_PREFIX}{secrets.token_hex(12)}",
                        tenant_id=tenant_id,
                        idempotency_key=idempotency_key,
                        kind=kind.value,
                        fingerprint=fingerprint,
                        workflow_id=workflow_id,
                        connection_id=connection_id,
                        state=IdempotencyState.ACCEPTING.value,
                        created_at=now,
                        claimed_at=now,
                    )
                    session.add(row)
                    session.flush()
                    return _record(row), True
            except IntegrityError:
                pass  # the key (or its workflow id) is taken: see by whom
            existing = self._by_key(tenant_id, idempotency_key)
            if existing is None:
                continue
            if existing.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    "this Idempotency-Key was already used for a different request; use a "
                    "new key for a new request"
                )
            if existing.state is IdempotencyState.ACCEPTED:
                return existing, False
            if now - existing.claimed_at < self._stale_after:
                raise IdempotencyKeyInUse(existing.id)
            if self._take_over(existing, now):
                return existing.model_copy(update={"claimed_at": now}), True
            raise IdempotencyKeyInUse(existing.id)
        raise IdempotencyKeyInUse("(released while claimed)")

    def _ensure_tenant(self, session: Session, tenant_id: str, now: datetime) -> None:
        if session.scalar(select(TenantRow.id).where(TenantRow.id == tenant_id)) is None:
            session.add(TenantRow(id=tenant_id, created_at=now))
            session.flush()

    def _by_key(self, tenant_id: str, idempotency_key: str) -> OperationRecord | None:
        with Session(self._engine) as session:
            row = session.scalar(
                select(OperationRow).where(
                    OperationRow.tenant_id == tenant_id,
                    OperationRow.idempotency_key == idempotency_key,
                )
            )
            return _record(row) if row is not None else None

    def _take_over(self, existing: OperationRecord, now: datetime) -> bool:
        """Compare-and-set on the old claim's time: of two takers, one wins."""
        with Session(self._engine) as session, session.begin():
            taken = session.execute(
                update(OperationRow)
                .where(
                    OperationRow.id == existing.id,
                    OperationRow.state == IdempotencyState.ACCEPTING.value,
                    OperationRow.claimed_at == existing.claimed_at,
                )
                .values(claimed_at=now)
            )
            return bool(taken.rowcount == 1)  # type: ignore[attr-defined]

    def accepted(self, operation_id: str) -> None:
        """The operation's workflow exists: every later request with the key answers it."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(OperationRow)
                .where(OperationRow.id == operation_id)
                .values(state=IdempotencyState.ACCEPTED.value)
            )

    def release(self, operation_id: str) -> None:
        """The workflow could not be started (Temporal down): the key is free again, so
        the caller's retry starts afresh instead of meeting a claim nobody holds."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                delete(OperationRow).where(
                    OperationRow.id == operation_id,
                    OperationRow.state == IdempotencyState.ACCEPTING.value,
                )
            )

    def get(self, tenant_id: str, operation_id: str) -> OperationRecord:
        with Session(self._engine) as session:
            row = session.scalar(
                select(OperationRow).where(
                    OperationRow.tenant_id == tenant_id, OperationRow.id == operation_id
                )
            )
            if row is None:
                raise OperationNotFound(operation_id)
            return _record(row)

    def by_key(self, tenant_id: str, idempotency_key: str) -> OperationRecord | None:
        return self._by_key(tenant_id, idempotency_key)

    def list(
        self, tenant_id: str, request: PageRequest, kind: OperationKind | None = None
    ) -> Page[OperationRecord]:
        with Session(self._engine) as session:
            query = select(OperationRow).where(OperationRow.tenant_id == tenant_id)
            if kind is not None:
                query = query.where(OperationRow.kind == kind.value)
            rows, more = page_rows(session, query, OperationRow, request)
            return Page[OperationRecord](data=[_record(r) for r in rows], has_more=more)
