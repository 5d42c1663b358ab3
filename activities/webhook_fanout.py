"""Fanning an event out to its tenant's webhook endpoints: one delivery workflow each.

Called by the event activity after the event is in the log. The deliveries are chosen once
(stores/read_model/webhook_deliveries.py) and each workflow id follows from the event and
the endpoint, so a retried activity finds the same deliveries and starts nothing twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from sqlalchemy import Engine, inspect
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.events import Event
from models.settings import Settings
from models.webhooks import (
    WEBHOOK_DELIVERY_WORKFLOW,
    PlannedDelivery,
    WebhookDeliveryInput,
)
from stores.read_model.webhook_deliveries import WebhookDeliveries

# Standard Webhooks' recommendation, and the issue's: keep trying for three days.
DELIVERY_WINDOW_SECONDS = 3 * 24 * 3600.0
_SCHEMA_TABLE = "webhook_deliveries"


def delivery_input(settings: Settings, delivery_id: str) -> WebhookDeliveryInput:
    return WebhookDeliveryInput(
        delivery_id=delivery_id,
        initial_interval_seconds=settings.webhook_retry_initial_seconds,
        maximum_interval_seconds=settings.webhook_retry_max_seconds,
        give_up_after_seconds=DELIVERY_WINDOW_SECONDS,
    )


async def start_deliveries(
    client: Client, settings: Settings, planned: Iterable[PlannedDelivery], task_queue: str
) -> int:
    """Start each delivery's workflow unless it was started before; how many were new."""
    started = 0
    for delivery in planned:
        try:
            await client.start_workflow(
                WEBHOOK_DELIVERY_WORKFLOW,
                delivery_input(settings, delivery.id),
                id=delivery.workflow_id,
                task_queue=task_queue,
                # Once per id for good, also after it finished: a retry must not deliver again.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=f"webhook {delivery.event_id} to {delivery.endpoint_id}",
            )
            started += 1
        except WorkflowAlreadyStartedError:
            pass
    return started


class WebhookFanOut:
    def __init__(self, engine: Engine, client: Client, settings: Settings) -> None:
        self._engine = engine
        self._client = client
        self._settings = settings
        self._schema_seen = False

    def _has_schema(self) -> bool:
        # The API migrates the read model; a worker running before any API ever did (the
        # CLI-only set-up) has no tenants, hence nobody to deliver to.
        if not self._schema_seen:
            self._schema_seen = inspect(self._engine).has_table(_SCHEMA_TABLE)
        return self._schema_seen

    async def deliver(self, event: Event, task_queue: str) -> int:
        """Record the event for its tenant and start its deliveries; how many started."""
        if event.connection_id is None or not await asyncio.to_thread(self._has_schema):
            return 0
        planned = await asyncio.to_thread(WebhookDeliveries(self._engine).plan_for_event, event)
        if not planned:
            return 0
        return await start_deliveries(self._client, self._settings, planned, task_queue)
