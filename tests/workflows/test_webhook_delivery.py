"""WebhookDeliveryWorkflow's back-off on the time-skipping server, the receiver faked: the
attempts' spacing doubles from the first interval up to the longest, a 2xx ends it, three
days of failures give up and mark the delivery failed, a disabled endpoint stops at once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pytest_asyncio
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.webhook_fanout import DELIVERY_WINDOW_SECONDS
from models.errors import WebhookEndpointDisabled, WebhookNotAccepted
from models.webhooks import (
    DeliveryAbandoned,
    DeliveryStatus,
    WebhookAttempt,
    WebhookAttemptResult,
    WebhookDeliveryInput,
    WebhookDeliveryResult,
)
from tests.replay.recording import REPLAY_KEYRING, record_history
from tests.workflows.conftest import start_test_server
from workflows.webhook_delivery import WebhookDeliveryWorkflow

INITIAL = 10.0
LONGEST = 3600.0


@dataclass
class FakeReceiver:
    """Stands in for the delivery activities: answers from a script, notes each attempt."""

    env: WorkflowEnvironment
    failures: int | None = 0  # how many attempts fail before one succeeds; None: all fail
    disabled: bool = False
    attempts: list[datetime] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)

    @activity.defn(name="deliver_webhook")
    async def deliver_webhook(self, attempt: WebhookAttempt) -> WebhookAttemptResult:
        # The server's (skipped) time, as the receiver would see it.
        self.attempts.append(await self.env.get_current_time())
        if self.disabled:
            raise WebhookEndpointDisabled("the webhook endpoint was disabled")
        if self.failures is None or len(self.attempts) <= self.failures:
            raise WebhookNotAccepted("the webhook receiver answered HTTP 503")
        return WebhookAttemptResult(http_status=204)

    @activity.defn(name="abandon_webhook_delivery")
    async def abandon_webhook_delivery(self, given_up: DeliveryAbandoned) -> WebhookDeliveryResult:
        self.abandoned.append(given_up.reason)
        return WebhookDeliveryResult(delivery_id=given_up.delivery_id, status=DeliveryStatus.FAILED)


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A server of the test's own (it skips days), on the replay keyring so its history can
    be kept for the replay tests (``BILLBRIDGE_RECORD_HISTORIES=1``)."""
    environment = await start_test_server(REPLAY_KEYRING)
    try:
        yield environment
    finally:
        await environment.shutdown()


async def _deliver(
    env: WorkflowEnvironment, receiver: FakeReceiver, name: str | None = None
) -> WebhookDeliveryResult:
    task_queue = f"webhook-tests-{uuid.uuid4()}"
    request = WebhookDeliveryInput(
        delivery_id=f"whd_{uuid.uuid4().hex[:24]}",
        initial_interval_seconds=INITIAL,
        maximum_interval_seconds=LONGEST,
        give_up_after_seconds=DELIVERY_WINDOW_SECONDS,
    )
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[WebhookDeliveryWorkflow],
        activities=[receiver.deliver_webhook, receiver.abandon_webhook_delivery],
    ):
        handle = await env.client.start_workflow(
            WebhookDeliveryWorkflow.run,
            request,
            id=f"webhook-test-{uuid.uuid4()}",
            task_queue=task_queue,
        )
        result = await handle.result()
        if name is not None:
            await record_history(handle, name)
    assert result.delivery_id == request.delivery_id
    return result


def _gaps(times: list[datetime]) -> list[float]:
    return [round((b - a).total_seconds()) for a, b in pairwise(times)]


async def test_failures_back_off_exponentially_until_a_2xx(env: WorkflowEnvironment) -> None:
    receiver = FakeReceiver(env, failures=11)
    result = await _deliver(env, receiver, "WebhookDeliveryWorkflow--delivered-after-back-off")
    assert result.status is DeliveryStatus.DELIVERED and not receiver.abandoned
    assert len(receiver.attempts) == 12
    # 10 s doubling: 10, 20, 40 … 2560, then held at the longest interval (an hour).
    assert _gaps(receiver.attempts) == [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]


async def test_three_days_of_failures_give_up_and_mark_the_delivery_failed(
    env: WorkflowEnvironment,
) -> None:
    receiver = FakeReceiver(env, failures=None)
    started = await env.get_current_time()
    result = await _deliver(env, receiver)
    assert result.status is DeliveryStatus.FAILED
    assert receiver.abandoned == ["gave up: the delivery window closed without a 2xx"]
    window = timedelta(seconds=DELIVERY_WINDOW_SECONDS)
    assert receiver.attempts[-1] - started <= window <= await env.get_current_time() - started
    # About an attempt an hour once backed off: three days is some eighty attempts, no storm.
    assert 70 <= len(receiver.attempts) <= 90
    assert max(_gaps(receiver.attempts)) == LONGEST


async def test_a_disabled_endpoint_stops_at_once(env: WorkflowEnvironment) -> None:
    receiver = FakeReceiver(env, disabled=True)
    result = await _deliver(env, receiver)
    assert result.status is DeliveryStatus.FAILED
    assert len(receiver.attempts) == 1
    assert receiver.abandoned == ["gave up: WebhookEndpointDisabled"]
