"""Events of tenants' connections, as the API lists them and webhooks carry them.

An event enters once per ``Event.id`` (its ``source_id``): recording it again finds the row
already there. An event of a connection the read model does not know (made by the CLI, not
through the API) belongs to no tenant and is not recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.events import Event, EventType
from models.pages import Page, PageRequest
from models.webhooks import EventPublic, WebhookPayload, event_public_id
from stores.read_model.paging import page_rows
from stores.read_model.tables import ConnectionRow, EventRow


class TenantEventNotFound(LookupError):
    """No event with that id in that tenant."""


def _now() -> datetime:
    return datetime.now(UTC)


def event_public(row: EventRow) -> EventPublic:
    return EventPublic(
        id=row.id,
        type=EventType(row.type),
        occurred_at=row.occurred_at,
        connection_id=row.connection_id,
        data=row.data,
    )


def event_payload(row: EventRow) -> WebhookPayload:
    return WebhookPayload(
        id=row.id,
        type=EventType(row.type),
        timestamp=row.occurred_at,
        connection_id=row.connection_id,
        data=row.data,
    )


def record_event(session: Session, event: Event, now: datetime) -> tuple[EventRow, bool] | None:
    """(the event's row, True if it is new); None when no tenant owns its connection."""
    if event.connection_id is None:
        return None
    known = session.scalar(select(EventRow).where(EventRow.source_id == event.id))
    if known is not None:
        return known, False
    tenant_id = session.scalar(
        select(ConnectionRow.tenant_id).where(ConnectionRow.id == event.connection_id)
    )
    if tenant_id is None:
        return None
    row = EventRow(
        id=event_public_id(event.id),
        source_id=event.id,
        tenant_id=tenant_id,
        connection_id=event.connection_id,
        type=event.type.value,
        occurred_at=event.occurred_at,
        data=dict(event.data),
        recorded_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def tenant_event_row(session: Session, tenant_id: str, event_id: str) -> EventRow:
    row = session.scalar(
        select(EventRow).where(EventRow.id == event_id, EventRow.tenant_id == tenant_id)
    )
    if row is None:
        raise TenantEventNotFound(event_id)
    return row


class TenantEvents:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock

    def record(self, event: Event) -> EventPublic | None:
        """The event as the API shows it; None when it belongs to no tenant."""
        with Session(self._engine) as session, session.begin():
            recorded = record_event(session, event, self._clock())
            return None if recorded is None else event_public(recorded[0])

    def get(self, tenant_id: str, event_id: str) -> EventPublic:
        with Session(self._engine) as session:
            return event_public(tenant_event_row(session, tenant_id, event_id))

    def list(
        self, tenant_id: str, request: PageRequest, type: EventType | None = None
    ) -> Page[EventPublic]:
        with Session(self._engine) as session:
            query = select(EventRow).where(EventRow.tenant_id == tenant_id)
            if type is not None:
                query = query.where(EventRow.type == type.value)
            rows, has_more = page_rows(session, query, EventRow, request)
            return Page[EventPublic](data=[event_public(r) for r in rows], has_more=has_more)
