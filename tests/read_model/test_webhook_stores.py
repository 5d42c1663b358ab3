"""Webhook endpoints, events and deliveries in the read model, on SQLite and PostgreSQL:
per tenant, an event recorded once with its deliveries chosen once, attempts recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from models.connections import PortalName, SecretRef
from models.events import Event, EventType
from models.pages import PageRequest
from models.webhooks import DeliveryStatus, event_public_id
from stores.read_model.migrate import upgrade
from stores.read_model.tenant_connections import TenantConnections
from stores.read_model.tenant_events import TenantEventNotFound, TenantEvents
from stores.read_model.webhook_deliveries import WebhookDeliveries
from stores.read_model.webhook_endpoints import WebhookEndpointNotFound, WebhookEndpoints

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
REF = SecretRef(ref="local:webhooks/we_a/signing-secret")


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    upgrade(engine)
    connections = TenantConnections(engine)
    connections.add("acme", "conn_a", PortalName.CEDAR, "https://cedar.example")
    connections.add("globex", "conn_g", PortalName.CEDAR, "https://cedar.example")
    return engine


def _event(n: int, type: EventType = EventType.PAYMENT_POSTED, connection: str = "conn_a") -> Event:
    return Event(
        id=f"evt/post-payment-{n}/run-1/1",
        type=type,
        occurred_at=AT,
        workflow_id=f"post-payment-{n}",
        connection_id=connection,
        data={"amount_cents": 1250 + n, "payment_id": f"pay_{n}"},
    )


def test_endpoints_belong_to_one_tenant_and_disable_for_good(migrated: Engine) -> None:
    endpoints = WebhookEndpoints(migrated)
    made = endpoints.add("acme", "we_a", "https://hooks.example/a", [EventType.PAYMENT_POSTED], REF)
    assert (
        made.enabled and made.secret_ref == REF and made.event_types == [EventType.PAYMENT_POSTED]
    )
    endpoints.add("acme", "we_all", "http://127.0.0.1:9/all", "all", REF)
    assert endpoints.get("we_a", "acme") == made
    with pytest.raises(WebhookEndpointNotFound):
        endpoints.get("we_a", "globex")
    page = endpoints.list("acme", PageRequest(limit=1))
    assert [e.id for e in page.data] == ["we_a"] and page.has_more
    disabled = endpoints.disable("we_a", "acme")
    assert not disabled.enabled and disabled.disabled_at is not None
    assert endpoints.disable("we_a").disabled_at == disabled.disabled_at
    with migrated.connect() as connection:
        stored = connection.execute(text("SELECT secret_ref FROM webhook_endpoints")).scalars()
        assert all(ref.startswith("local:webhooks/") for ref in stored)


def test_an_event_is_recorded_once_with_its_deliveries_chosen_once(migrated: Engine) -> None:
    endpoints = WebhookEndpoints(migrated)
    endpoints.add("acme", "we_pay", "https://hooks.example/pay", [EventType.PAYMENT_POSTED], REF)
    endpoints.add(
        "acme", "we_mfa", "https://hooks.example/mfa", [EventType.CONNECTION_MFA_REQUIRED], REF
    )
    endpoints.add("acme", "we_all", "https://hooks.example/all", "all", REF)
    endpoints.add("globex", "we_g", "https://hooks.example/g", "all", REF)
    endpoints.add("acme", "we_off", "https://hooks.example/off", "all", REF)
    endpoints.disable("we_off")
    deliveries = WebhookDeliveries(migrated)

    first = deliveries.plan_for_event(_event(1))
    assert first is not None
    assert [d.endpoint_id for d in first] == ["we_pay", "we_all"]
    evt = event_public_id(_event(1).id)
    assert all(
        d.event_id == evt and d.workflow_id == f"webhook-{evt}-{d.endpoint_id}" for d in first
    )
    # A retried activity, after another endpoint was made: the same deliveries, nothing new.
    endpoints.add("acme", "we_late", "https://hooks.example/late", "all", REF)
    assert deliveries.plan_for_event(_event(1)) == first
    # A connection no tenant owns (made by the CLI): no row, nobody to tell.
    assert deliveries.plan_for_event(_event(2, connection="cli-only")) is None

    events = TenantEvents(migrated)
    shown = events.get("acme", evt)
    assert shown.data == {"amount_cents": 1251, "payment_id": "pay_1"}
    assert shown.occurred_at == AT and shown.connection_id == "conn_a"
    with pytest.raises(TenantEventNotFound):
        events.get("globex", evt)
    with pytest.raises(TenantEventNotFound):
        deliveries.plan_redelivery("globex", evt)


def test_events_page_by_type_and_attempts_are_recorded(migrated: Engine) -> None:
    endpoints = WebhookEndpoints(migrated)
    endpoints.add("acme", "we_all", "https://hooks.example/all", "all", REF)
    deliveries = WebhookDeliveries(migrated)
    for n in range(4):
        deliveries.plan_for_event(
            _event(n, EventType.PAYMENT_POSTED if n % 2 else EventType.PAYMENT_FAILED)
        )
    deliveries.plan_for_event(_event(9, connection="conn_g"))
    events = TenantEvents(migrated)
    page = events.list("acme", PageRequest(limit=3))
    assert len(page.data) == 3 and page.has_more
    rest = events.list("acme", PageRequest(limit=3, starting_after=page.data[-1].id))
    assert len(rest.data) == 1 and not rest.has_more
    posted = events.list("acme", PageRequest(), EventType.PAYMENT_POSTED)
    assert [e.data["payment_id"] for e in posted.data] == ["pay_1", "pay_3"]
    assert len(events.list("globex", PageRequest()).data) == 1

    evt = posted.data[0].id
    [delivery] = deliveries.of_event("acme", evt)
    target = deliveries.target(delivery.id)
    assert (target.webhook_id, target.url, target.secret_ref) == (
        evt,
        "https://hooks.example/all",
        REF,
    )
    assert target.payload.id == evt and target.payload.data["amount_cents"] == 1251
    deliveries.record_attempt(
        delivery.id, 1, http_status=None, error="ConnectError", delivered=False
    )
    deliveries.record_attempt(delivery.id, 2, http_status=503, error="http_503", delivered=False)
    [retrying] = deliveries.of_event("acme", evt)
    assert (retrying.status, retrying.attempts, retrying.last_http_status) == (
        DeliveryStatus.RETRYING, 2, 503,
    )  # fmt: skip
    deliveries.record_attempt(delivery.id, 3, http_status=204, error=None, delivered=True)
    # A late report of an earlier attempt neither lowers the count nor undoes the delivery.
    deliveries.record_attempt(delivery.id, 2, http_status=503, error="http_503", delivered=False)
    deliveries.abandon(delivery.id, "gave up")
    [done] = deliveries.of_event("acme", evt)
    assert (done.status, done.attempts) == (DeliveryStatus.DELIVERED, 3)
    assert done.delivered_at is not None and done.webhook_id == evt

    again = deliveries.plan_redelivery("acme", evt)
    assert [d.endpoint_id for d in again] == ["we_all"] and again[0].id != delivery.id
    assert "-redelivery-" in again[0].workflow_id
    both = deliveries.of_event("acme", evt)
    assert [d.webhook_id for d in both] == [evt, evt]
    assert both[1].status is DeliveryStatus.PENDING
    # The first deliveries stay what a retried fan-out finds; redeliveries are apart.
    assert [d.id for d in deliveries.plan_for_event(_event(1)) or []] == [delivery.id]
    deliveries.abandon(again[0].id, "gave up: the delivery window closed without a 2xx")
    assert deliveries.of_event("acme", evt)[1].status is DeliveryStatus.FAILED
