"""Webhook deliveries: which endpoints an event goes to, and how each attempt went.

The endpoints an event goes to are chosen once, when the event is first recorded, in the
same transaction: a retried fan-out finds the same deliveries (and their workflow ids)
instead of choosing again among endpoints made in between. A redelivery is a new row and
a new workflow, with the same ``webhook_id``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.connections import SecretRef
from models.events import Event, EventType
from models.webhooks import (
    DeliveryStatus,
    DeliveryTarget,
    PlannedDelivery,
    WebhookDeliveryPublic,
    delivery_workflow_id,
)
from stores.read_model.tables import EventRow, WebhookDeliveryRow, WebhookEndpointRow
from stores.read_model.tenant_events import event_payload, record_event, tenant_event_row
from stores.read_model.webhook_endpoints import subscribed_endpoints


class WebhookDeliveryNotFound(LookupError):
    """No delivery with that id."""


def _now() -> datetime:
    return datetime.now(UTC)


def _planned(row: WebhookDeliveryRow) -> PlannedDelivery:
    return PlannedDelivery(
        id=row.id, workflow_id=row.workflow_id, event_id=row.event_id, endpoint_id=row.endpoint_id
    )


def delivery_public(row: WebhookDeliveryRow) -> WebhookDeliveryPublic:
    return WebhookDeliveryPublic(
        id=row.id,
        endpoint_id=row.endpoint_id,
        webhook_id=row.webhook_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_http_status=row.last_http_status,
        last_error=row.last_error,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


class WebhookDeliveries:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock

    # --- planning (the event activity, the redeliver endpoint) ------------------------------

    def plan_for_event(self, event: Event) -> list[PlannedDelivery] | None:
        """Record ``event`` and its first deliveries, once; the same list on every retry.
        None when the event belongs to no tenant (its connection is not in the read model)."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            recorded = record_event(session, event, now)
            if recorded is None:
                return None
            row, new = recorded
            if new:
                for endpoint in subscribed_endpoints(session, row.tenant_id, event.type):
                    self._add(session, row, endpoint, None, now)
                session.flush()
            first = session.scalars(
                select(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.event_id == row.id,
                    WebhookDeliveryRow.workflow_id.not_like("%-redelivery-%"),
                )
                .order_by(WebhookDeliveryRow.seq)
            ).all()
            return [_planned(d) for d in first]

    def plan_redelivery(self, tenant_id: str, event_id: str) -> list[PlannedDelivery]:
        """New deliveries of a tenant's event to each endpoint subscribed now (raises
        TenantEventNotFound for another tenant's event)."""
        now = self._clock()
        token = secrets.token_hex(6)
        with Session(self._engine) as session, session.begin():
            row = tenant_event_row(session, tenant_id, event_id)
            endpoints = subscribed_endpoints(session, tenant_id, EventType(row.type))
            made = [self._add(session, row, endpoint, token, now) for endpoint in endpoints]
            session.flush()
            return [_planned(d) for d in made]

    @staticmethod
    def _add(
        session: Session,
        event: EventRow,
        endpoint: WebhookEndpointRow,
        redelivery: str | None,
        now: datetime,
    ) -> WebhookDeliveryRow:
        row = WebhookDeliveryRow(
            id=f"whd_{secrets.token_hex(12)}",
            workflow_id=delivery_workflow_id(event.id, endpoint.id, redelivery),
            event_id=event.id,
            endpoint_id=endpoint.id,
            webhook_id=event.id,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            created_at=now,
        )
        session.add(row)
        return row

    # --- attempts (the delivery activities) ------------------------------------------------

    def target(self, delivery_id: str) -> DeliveryTarget:
        with Session(self._engine) as session:
            delivery = self._row(session, delivery_id)
            endpoint = session.scalars(
                select(WebhookEndpointRow).where(WebhookEndpointRow.id == delivery.endpoint_id)
            ).one()
            event = session.scalars(select(EventRow).where(EventRow.id == delivery.event_id)).one()
            return DeliveryTarget(
                delivery_id=delivery.id,
                webhook_id=delivery.webhook_id,
                endpoint_id=endpoint.id,
                url=endpoint.url,
                secret_ref=SecretRef(ref=endpoint.secret_ref),
                endpoint_enabled=endpoint.enabled,
                payload=event_payload(event),
            )

    def record_attempt(
        self,
        delivery_id: str,
        attempt: int,
        *,
        http_status: int | None,
        error: str | None,
        delivered: bool,
    ) -> None:
        """One finished attempt. Counts never go back (an attempt reported late by a
        worker that lost its slot must not undo a later one), and delivered stays so."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            row = self._row(session, delivery_id)
            row.attempts = max(row.attempts, attempt)
            row.last_http_status = http_status
            row.last_error = error
            row.last_attempt_at = now
            if delivered:
                row.status = DeliveryStatus.DELIVERED.value
                row.delivered_at = row.delivered_at or now
            elif row.status != DeliveryStatus.DELIVERED.value:
                row.status = DeliveryStatus.RETRYING.value

    def abandon(self, delivery_id: str, reason: str) -> None:
        with Session(self._engine) as session, session.begin():
            row = self._row(session, delivery_id)
            if row.status != DeliveryStatus.DELIVERED.value:
                row.status = DeliveryStatus.FAILED.value
                row.last_error = reason

    # --- reading (the API) -----------------------------------------------------------------

    def of_event(self, tenant_id: str, event_id: str) -> list[WebhookDeliveryPublic]:
        with Session(self._engine) as session:
            event = tenant_event_row(session, tenant_id, event_id)
            rows = session.scalars(
                select(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.event_id == event.id)
                .order_by(WebhookDeliveryRow.seq)
            ).all()
            return [delivery_public(r) for r in rows]

    @staticmethod
    def _row(session: Session, delivery_id: str) -> WebhookDeliveryRow:
        row = session.scalar(select(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id))
        if row is None:
            raise WebhookDeliveryNotFound(delivery_id)
        return row
