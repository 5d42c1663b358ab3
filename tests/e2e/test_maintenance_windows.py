"""A workflow that meets the portal's nightly maintenance window waits for its end on a
durable timer and completes after it, with no failed attempt in its history.

Real Temporal dev server, worker, Chromium and sandbox. The sandbox keeps its window only
because these tests ask it to, and its clock is moved to a few seconds before the window's
end: the window is the real one, entered near its end, and both clocks then run on wall
time, so the wait is real and short.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from models.connection_session import session_workflow_id
from models.connections import PortalName
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, SessionsClient
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import payment_for
from tests.replay.recording import record_history

# Enough for the workflow to reach the portal while the window is still on, on a busy machine.
SECONDS_LEFT = 15
IN_MAINTENANCE = "portal in maintenance until"
_FAILED = {
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
}


async def current_details(client: Client, workflow_id: str) -> str:
    """What the Temporal UI shows as the workflow's current details ("" before it starts)."""
    try:
        metadata = await client.get_workflow_handle(workflow_id).query(
            "__temporal_workflow_metadata", result_type=WorkflowMetadata
        )
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return ""
        raise
    return str(metadata.current_details)


async def details_when_waiting(client: Client, workflow_id: str, seconds: float = 30) -> str:
    details = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        details = await current_details(client, workflow_id)
        if details.startswith(IN_MAINTENANCE):
            return details
        await asyncio.sleep(0.2)
    raise AssertionError(f"{workflow_id} never said it waits for the window: {details!r}")


async def assert_no_failed_attempts(handle: WorkflowHandle[Any, Any]) -> int:
    """No failed or timed-out activity, no attempt above 1; the timers the window took."""
    history = await handle.fetch_history()
    failed = [event.event_type for event in history.events if event.event_type in _FAILED]
    assert failed == [], f"{handle.id}: {failed}"
    attempts = [
        event.activity_task_started_event_attributes.attempt
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
    ]
    assert attempts and set(attempts) == {1}, f"{handle.id}: attempts {attempts}"
    return sum(event.event_type == EventType.EVENT_TYPE_TIMER_STARTED for event in history.events)


def sign_in_before_the_window(admin: SandboxAdmin) -> None:
    """The clock 90 s before the window starts: a session signed in now outlives the window
    (every vendor's window is shorter than its idle limit)."""
    window = admin.maintenance()
    admin.enter_maintenance(seconds_left=window.minutes * 60 + 90)
    assert admin.maintenance().ends_at is None


def until_text(ends_at: datetime | None) -> str:
    assert ends_at is not None
    return f"{IN_MAINTENANCE} {ends_at:%H:%M} UTC"


# The wait is the workflow's, the same on every portal (each vendor's page is recognised in
# tests/integration/test_maintenance_pages.py, and the sign-in test below runs on
# HealthPay24): Cedar shows it. Once on each, this file cost a minute more of the suite.
async def test_a_payment_started_inside_the_window_waits_and_completes_after_it(
    client: BillBridgeClient,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    admin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username)
    sign_in_before_the_window(admin)
    first = await client.start_payment(payment_for(admin, connection_id, username, cents=100))
    await first.result()  # the session is open now

    window = admin.enter_maintenance(seconds_left=SECONDS_LEFT)
    assert window.ends_at is not None
    handle = await client.start_payment(payment_for(admin, connection_id, username, cents=1000))
    started = time.monotonic()

    details = await details_when_waiting(client.temporal, handle.workflow_id)
    assert details == until_text(window.ends_at)
    result = await handle.result()
    waited = time.monotonic() - started

    assert admin.maintenance().ends_at is None  # it completed after the window
    assert waited >= SECONDS_LEFT - 5
    assert [p.confirmation_number for p in admin.ledger(result.payment.reference)] == [
        result.payment.confirmation_number
    ]
    assert await assert_no_failed_attempts(handle.temporal_handle) == 1
    await record_history(handle.temporal_handle, "PostPaymentWorkflow--maintenance-window")


# The sign-in's wait is the session workflow's, the same on every portal (each vendor's page
# is recognised in tests/integration/test_maintenance_pages.py): one portal shows it.
@pytest.mark.parametrize("portal_under_test", [PortalName.HEALTHPAY24], indirect=True)
async def test_a_sign_in_inside_the_window_waits_and_the_payment_completes_after_it(
    client: BillBridgeClient,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
    sessions: SessionsClient,
) -> None:
    """No session open yet: the session's own sign-in meets the window, waits it out while
    the payment waits for the session, then signs in; both histories without a failure."""
    admin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username)
    window = admin.enter_maintenance(seconds_left=SECONDS_LEFT)
    assert window.ends_at is not None

    handle = await client.start_payment(payment_for(admin, connection_id, username, cents=1000))
    session_id = session_workflow_id(connection_id)
    details = await details_when_waiting(client.temporal, session_id)
    assert details == until_text(window.ends_at)
    view = await sessions.state(connection_id)
    assert view.maintenance_until == window.ends_at and view.waiting_workflows == 1
    assert (await current_details(client.temporal, handle.workflow_id)).startswith(
        "awaiting session"
    )

    result = await handle.result()
    assert admin.maintenance().ends_at is None
    assert [p.confirmation_number for p in admin.ledger(result.payment.reference)] == [
        result.payment.confirmation_number
    ]
    assert (await sessions.state(connection_id)).maintenance_until is None
    await assert_no_failed_attempts(handle.temporal_handle)
    session = client.temporal.get_workflow_handle(session_id)
    assert await assert_no_failed_attempts(session) == 1
    if portal_under_test.name is PortalName.CEDAR:
        await record_history(session, "ConnectionSessionWorkflow--maintenance-window")
