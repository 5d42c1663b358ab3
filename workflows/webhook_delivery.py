"""Delivering one event to one webhook endpoint, with back-off, for up to three days.

The workflow holds ids only: the activity reads the payload, the URL and (by reference) the
signing secret itself, so neither the event's data nor the secret enters history. Attempts
are Temporal activity retries: exponential back-off between the input's intervals, until a
2xx, a disabled endpoint, or the end of the delivery window, which marks the delivery failed.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, RetryState, TimeoutError

with workflow.unsafe.imports_passed_through():
    from activities.webhook_delivery import WebhookDeliveryActivities
    from models.webhooks import (
        DeliveryAbandoned,
        DeliveryStatus,
        WebhookAttempt,
        WebhookDeliveryInput,
        WebhookDeliveryResult,
    )
    from workflows.policies import WEBHOOK_BOOKKEEPING_ACTIVITY, webhook_attempts


def _reason(error: ActivityError) -> str:
    cause = error.cause
    # The server stops retrying when the next attempt would start after the window: the
    # failure is then the last attempt's, its retry state says why it was the last.
    if isinstance(cause, TimeoutError) or error.retry_state == RetryState.TIMEOUT:
        return "gave up: the delivery window closed without a 2xx"
    if isinstance(cause, ApplicationError) and cause.type:
        return f"gave up: {cause.type}"
    return "gave up"


@workflow.defn
class WebhookDeliveryWorkflow:
    @workflow.run
    async def run(self, request: WebhookDeliveryInput) -> WebhookDeliveryResult:
        attempts = webhook_attempts(
            timedelta(seconds=request.initial_interval_seconds),
            timedelta(seconds=request.maximum_interval_seconds),
            timedelta(seconds=request.give_up_after_seconds),
        )
        try:
            await workflow.execute_activity_method(
                WebhookDeliveryActivities.deliver_webhook,
                WebhookAttempt(delivery_id=request.delivery_id),
                **attempts,
            )
        except ActivityError as err:
            workflow.logger.warning("webhook delivery %s %s", request.delivery_id, _reason(err))
            return await workflow.execute_activity_method(
                WebhookDeliveryActivities.abandon_webhook_delivery,
                DeliveryAbandoned(delivery_id=request.delivery_id, reason=_reason(err)),
                **WEBHOOK_BOOKKEEPING_ACTIVITY,
            )
        return WebhookDeliveryResult(
            delivery_id=request.delivery_id, status=DeliveryStatus.DELIVERED
        )
