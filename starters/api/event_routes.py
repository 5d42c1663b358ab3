"""``/events``: what happened on a tenant's connections, and its webhook deliveries.

Events hold ids and amounts only. A redelivery starts a new delivery workflow per endpoint
subscribed now; it carries the same ``webhook-id`` as the first, so receivers that
deduplicate see one event.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from temporalio.client import Client

from activities.webhook_fanout import start_deliveries
from models.events import EventType
from models.pages import Page, PageRequest
from models.webhooks import EventPublic, EventWithDeliveries, WebhookDeliveryPublic
from starters.api.dependencies import AdminKey, ReadKey, Services
from starters.api.problems import ApiProblem, Problem
from starters.api.services import ApiServices
from stores.read_model.tenant_events import TenantEventNotFound, TenantEvents
from stores.read_model.webhook_deliveries import WebhookDeliveries
from workers.temporal_unreachable import TemporalUnreachable

router = APIRouter(prefix="/events", tags=["events"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the scope"},
    422: {"model": Problem, "description": "invalid request"},
}
_ONE = {**_PROBLEMS, 404: {"model": Problem, "description": "no such event here"}}


class Redelivery(BaseModel):
    object: Literal["redelivery"] = "redelivery"
    event_id: str
    deliveries: list[WebhookDeliveryPublic]


def _not_found(event_id: str) -> ApiProblem:
    return ApiProblem(404, "not_found", f"no event {event_id} in this tenant")


async def _temporal(services: ApiServices) -> Client:
    try:
        async with asyncio.timeout(services.settings.api_health_timeout_seconds):
            return await services.temporal.client()
    except TimeoutError:
        raise TemporalUnreachable(services.settings) from None


def _with_deliveries(services: ApiServices, tenant_id: str, event_id: str) -> EventWithDeliveries:
    event = TenantEvents(services.engine).get(tenant_id, event_id)
    deliveries = WebhookDeliveries(services.engine).of_event(tenant_id, event_id)
    return EventWithDeliveries(**event.model_dump(), deliveries=deliveries)


@router.get("", response_model=Page[EventPublic], responses=_PROBLEMS)
async def list_events(
    caller: ReadKey,
    services: Services,
    paging: Annotated[PageRequest, Query()],
    type: Annotated[EventType | None, Query(description="only events of this type")] = None,
) -> Page[EventPublic]:
    return await asyncio.to_thread(
        TenantEvents(services.engine).list, caller.tenant_id, paging, type
    )


@router.get("/{event_id}", response_model=EventWithDeliveries, responses=_ONE)
async def get_event(event_id: str, caller: ReadKey, services: Services) -> EventWithDeliveries:
    try:
        return await asyncio.to_thread(_with_deliveries, services, caller.tenant_id, event_id)
    except TenantEventNotFound:
        raise _not_found(event_id) from None


@router.post(
    "/{event_id}/redeliver",
    status_code=202,
    response_model=Redelivery,
    responses={**_ONE, 503: {"model": Problem, "description": "Temporal did not answer"}},
    summary="Deliver an event again to every endpoint subscribed to its type",
)
async def redeliver_event(event_id: str, caller: AdminKey, services: Services) -> Redelivery:
    client = await _temporal(services)
    deliveries = WebhookDeliveries(services.engine)
    try:
        planned = await asyncio.to_thread(deliveries.plan_redelivery, caller.tenant_id, event_id)
    except TenantEventNotFound:
        raise _not_found(event_id) from None
    await start_deliveries(client, services.settings, planned, services.settings.task_queue)
    made = {p.id for p in planned}
    shown = await asyncio.to_thread(deliveries.of_event, caller.tenant_id, event_id)
    return Redelivery(event_id=event_id, deliveries=[d for d in shown if d.id in made])
