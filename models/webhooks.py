"""Webhooks: endpoints a tenant registers, the events it is told of, and each delivery.

An event's public id (``evt_…``) is derived from its stable ``Event.id``, so it is the same
wherever the event is seen; it is also the Standard Webhooks ``webhook-id`` of every
delivery of that event (retries and redeliveries included), which is what receivers
deduplicate on. Workflow inputs hold ids only: the payload and the URL are read by the
delivery activity from the read model, the signing secret from the secret store.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Final, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from models.audit import AuditDetail
from models.connections import SecretRef
from models.events import EventType

WEBHOOK_DELIVERY_WORKFLOW = "WebhookDeliveryWorkflow"
ALL_EVENT_TYPES: Final = "all"
# Standard Webhooks: secrets are "whsec_" + base64 of 24 to 64 random bytes.
SECRET_PREFIX = "whsec_"

EventTypes = list[EventType] | Literal["all"]


def event_public_id(event_id: str) -> str:
    """The API's id of an event: short, URL-safe, and the same for every retry of it."""
    return f"evt_{hashlib.sha256(event_id.encode()).hexdigest()[:32]}"


def delivery_workflow_id(event_public_id: str, endpoint_id: str, redelivery: str | None) -> str:
    """The first delivery's id follows from the event and the endpoint alone, so a retried
    fan-out starts nothing twice; each redelivery asked for adds its own token."""
    base = f"webhook-{event_public_id}-{endpoint_id}"
    return base if redelivery is None else f"{base}-redelivery-{redelivery}"


class WebhookEndpointCreate(BaseModel):
    url: AnyHttpUrl = Field(
        description="where events are POSTed; https in production (http is for local "
        "development receivers)"
    )
    event_types: EventTypes = Field(
        default=ALL_EVENT_TYPES,
        description='the event types to deliver, or "all" (also types added later)',
    )


class WebhookEndpointRecord(BaseModel):
    """An endpoint as stored: the secret only by reference."""

    id: str
    tenant_id: str
    url: str
    event_types: EventTypes
    secret_ref: SecretRef
    enabled: bool
    created_at: datetime
    disabled_at: datetime | None

    def subscribes_to(self, type: EventType) -> bool:
        return isinstance(self.event_types, str) or type in self.event_types


class WebhookEndpointPublic(BaseModel):
    object: Literal["webhook_endpoint"] = "webhook_endpoint"
    id: str
    url: str
    event_types: EventTypes
    enabled: bool
    created_at: datetime
    disabled_at: datetime | None


class WebhookEndpointCreated(WebhookEndpointPublic):
    secret: str = Field(
        description="the signing secret (whsec_…, Standard Webhooks): shown this once"
    )


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # started, no attempt finished yet
    RETRYING = "retrying"  # the last attempt failed; another follows with back-off
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # given up: three days of failures, or the endpoint disabled


class WebhookDeliveryPublic(BaseModel):
    object: Literal["webhook_delivery"] = "webhook_delivery"
    id: str
    endpoint_id: str
    webhook_id: str = Field(description="the webhook-id header: the event's id")
    status: DeliveryStatus
    attempts: int
    last_http_status: int | None
    last_error: str | None = Field(description="why the last attempt failed (a kind, no body)")
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class EventPublic(BaseModel):
    object: Literal["event"] = "event"
    id: str
    type: EventType
    occurred_at: datetime
    connection_id: str
    data: dict[str, AuditDetail] = Field(description="ids and amounts only, never PHI")


class EventWithDeliveries(EventPublic):
    deliveries: list[WebhookDeliveryPublic]


class WebhookPayload(BaseModel):
    """The JSON body a receiver gets (Standard Webhooks' type, timestamp and data)."""

    id: str
    type: EventType
    timestamp: datetime
    connection_id: str
    data: dict[str, AuditDetail]


class PlannedDelivery(BaseModel):
    """A delivery row made for one event and one endpoint, before its workflow starts."""

    model_config = ConfigDict(frozen=True)

    id: str
    workflow_id: str
    event_id: str
    endpoint_id: str


class DeliveryTarget(BaseModel):
    """What one attempt needs, read by the activity: never carried in history."""

    delivery_id: str
    webhook_id: str
    endpoint_id: str
    url: str
    secret_ref: SecretRef
    endpoint_enabled: bool
    payload: WebhookPayload


class WebhookDeliveryInput(BaseModel):
    delivery_id: str
    # Back-off of the attempts (from Settings when the delivery starts), then given up.
    initial_interval_seconds: float = Field(gt=0)
    maximum_interval_seconds: float = Field(gt=0)
    give_up_after_seconds: float = Field(gt=0)


class WebhookDeliveryResult(BaseModel):
    delivery_id: str
    status: DeliveryStatus


class WebhookAttempt(BaseModel):
    delivery_id: str


class WebhookAttemptResult(BaseModel):
    http_status: int


class DeliveryAbandoned(BaseModel):
    delivery_id: str
    reason: str = Field(max_length=200, description="an error kind, never a body")
