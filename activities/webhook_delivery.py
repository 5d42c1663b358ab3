"""Delivering one webhook attempt: the event's JSON, signed per Standard Webhooks.

The signature comes from the maintained ``standardwebhooks`` library; the signing secret
is fetched by reference here and exists nowhere else (not in history, not in the database).
The ``webhook-id`` is the event's id, the same on every attempt and every redelivery, so a
receiver that sees it twice knows it is one event. Each attempt is written to the delivery's
row before the activity reports how it went.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from math import floor

import httpx
from standardwebhooks.webhooks import Webhook
from temporalio import activity

from models.errors import WebhookEndpointDisabled, WebhookNotAccepted
from models.webhooks import (
    DeliveryAbandoned,
    DeliveryStatus,
    WebhookAttempt,
    WebhookAttemptResult,
    WebhookDeliveryResult,
)
from stores.read_model.webhook_deliveries import WebhookDeliveries
from stores.read_model.webhook_endpoints import WebhookEndpoints
from stores.secrets import SecretStore

_GONE = 410
_USER_AGENT = "BillBridge-Webhooks/1"


def _accepted(status: int) -> bool:
    return 200 <= status < 300


class WebhookDeliveryActivities:
    def __init__(
        self,
        deliveries: WebhookDeliveries,
        endpoints: WebhookEndpoints,
        secrets: SecretStore,
        timeout_seconds: float,
    ) -> None:
        self._deliveries = deliveries
        self._endpoints = endpoints
        self._secrets = secrets
        self._timeout = timeout_seconds

    @activity.defn
    async def deliver_webhook(self, attempt: WebhookAttempt) -> WebhookAttemptResult:
        target = await asyncio.to_thread(self._deliveries.target, attempt.delivery_id)
        if not target.endpoint_enabled:
            raise WebhookEndpointDisabled("the webhook endpoint was disabled")
        secret = await asyncio.to_thread(self._secrets.get, target.secret_ref)
        body = target.payload.model_dump_json()
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "user-agent": _USER_AGENT,
            "webhook-id": target.webhook_id,
            "webhook-timestamp": str(floor(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(target.webhook_id, now, body),
        }
        number = activity.info().attempt
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                response = await http.post(target.url, content=body.encode(), headers=headers)
        except httpx.HTTPError as err:
            # The kind of failure only: a message may quote the URL, which may hold a token.
            kind = type(err).__name__
            await self._record(attempt.delivery_id, number, None, kind, delivered=False)
            raise WebhookNotAccepted(f"the webhook receiver did not answer ({kind})") from None
        status = response.status_code
        if _accepted(status):
            await self._record(attempt.delivery_id, number, status, None, delivered=True)
            return WebhookAttemptResult(http_status=status)
        await self._record(attempt.delivery_id, number, status, f"http_{status}", delivered=False)
        if status == _GONE:
            # Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
            await asyncio.to_thread(self._endpoints.disable, target.endpoint_id)
            raise WebhookEndpointDisabled("the webhook receiver answered 410 Gone: disabled")
        raise WebhookNotAccepted(f"the webhook receiver answered HTTP {status}")

    @activity.defn
    async def abandon_webhook_delivery(self, given_up: DeliveryAbandoned) -> WebhookDeliveryResult:
        await asyncio.to_thread(self._deliveries.abandon, given_up.delivery_id, given_up.reason)
        return WebhookDeliveryResult(delivery_id=given_up.delivery_id, status=DeliveryStatus.FAILED)

    async def _record(
        self,
        delivery_id: str,
        number: int,
        status: int | None,
        error: str | None,
        *,
        delivered: bool,
    ) -> None:
        await asyncio.to_thread(
            self._deliveries.record_attempt, delivery_id, number,
            http_status=status, error=error, delivered=delivered,
        )  # fmt: skip
