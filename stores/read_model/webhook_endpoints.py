"""Tenants' webhook endpoints: where their events go, and the reference to each signing
secret (the secret itself is in the secret store). Deleting one disables it for good, so
its past deliveries keep naming it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.connections import SecretRef
from models.events import EventType
from models.pages import Page, PageRequest
from models.webhooks import ALL_EVENT_TYPES, EventTypes, WebhookEndpointRecord
from stores.read_model.paging import page_rows
from stores.read_model.tables import WebhookEndpointRow


class WebhookEndpointNotFound(LookupError):
    """No endpoint with that id (in that tenant)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _stored_types(event_types: EventTypes) -> str:
    if isinstance(event_types, str):
        return ALL_EVENT_TYPES
    return " ".join(sorted({t.value for t in event_types}))


def _types(stored: str) -> EventTypes:
    if stored == ALL_EVENT_TYPES:
        return ALL_EVENT_TYPES
    return [EventType(t) for t in stored.split()]


def endpoint_record(row: WebhookEndpointRow) -> WebhookEndpointRecord:
    return WebhookEndpointRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        url=row.url,
        event_types=_types(row.event_types),
        secret_ref=SecretRef(ref=row.secret_ref),
        enabled=row.enabled,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def subscribed_endpoints(
    session: Session, tenant_id: str, type: EventType
) -> list[WebhookEndpointRow]:
    """The tenant's enabled endpoints that want events of ``type``, oldest first."""
    rows: Sequence[WebhookEndpointRow] = session.scalars(
        select(WebhookEndpointRow)
        .where(WebhookEndpointRow.tenant_id == tenant_id, WebhookEndpointRow.enabled.is_(True))
        .order_by(WebhookEndpointRow.seq)
    ).all()
    return [row for row in rows if endpoint_record(row).subscribes_to(type)]


class WebhookEndpoints:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock

    def add(
        self,
        tenant_id: str,
        endpoint_id: str,
        url: str,
        event_types: EventTypes,
        secret_ref: SecretRef,
    ) -> WebhookEndpointRecord:
        """A new, enabled endpoint; the tenant exists already (its key made it)."""
        row = WebhookEndpointRow(
            id=endpoint_id,
            tenant_id=tenant_id,
            url=url,
            event_types=_stored_types(event_types),
            secret_ref=secret_ref.ref,
            enabled=True,
            created_at=self._clock(),
        )
        with Session(self._engine) as session, session.begin():
            session.add(row)
            session.flush()
            return endpoint_record(row)

    def get(self, endpoint_id: str, tenant_id: str | None = None) -> WebhookEndpointRecord:
        """Within ``tenant_id``; without it (the delivery activity) any tenant's."""
        with Session(self._engine) as session:
            return endpoint_record(self._row(session, endpoint_id, tenant_id))

    def list(self, tenant_id: str, request: PageRequest) -> Page[WebhookEndpointRecord]:
        with Session(self._engine) as session:
            query = select(WebhookEndpointRow).where(WebhookEndpointRow.tenant_id == tenant_id)
            rows, has_more = page_rows(session, query, WebhookEndpointRow, request)
            return Page[WebhookEndpointRecord](
                data=[endpoint_record(r) for r in rows], has_more=has_more
            )

    def disable(self, endpoint_id: str, tenant_id: str | None = None) -> WebhookEndpointRecord:
        """Disabled at once and for good; disabling twice keeps the first time."""
        with Session(self._engine) as session, session.begin():
            row = self._row(session, endpoint_id, tenant_id)
            if row.enabled:
                row.enabled = False
                row.disabled_at = self._clock()
            session.flush()
            return endpoint_record(row)

    @staticmethod
    def _row(session: Session, endpoint_id: str, tenant_id: str | None) -> WebhookEndpointRow:
        query = select(WebhookEndpointRow).where(WebhookEndpointRow.id == endpoint_id)
        if tenant_id is not None:
            query = query.where(WebhookEndpointRow.tenant_id == tenant_id)
        row = session.scalar(query)
        if row is None:
            raise WebhookEndpointNotFound(endpoint_id)
        return row
