"""Maintenance windows on the time-skipping server, browser faked: a full-length window
waited out on one timer in seconds, each payment step, a window still on after the wait,
the session's sign-in, and a code submitted during the window."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models.connection_session import MfaCodeSubmission, SessionStatus, SessionView
from models.payments import PaymentStep
from models.sessions import MfaMethod
from tests.workflows.harness import STATE_DEADLINE_SECONDS, Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.post_payment import PostPaymentWorkflow


@pytest.fixture
def env(module_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return module_env  # these tests skip half an hour at a time: a server of their own


UNTIL = "portal in maintenance until 02:30 UTC"  # FakePortal.maintenance
WINDOW = timedelta(seconds=1800 + 3)  # its Retry-After, the grace, and a second more


async def details(handle: WorkflowHandle[Any, Any]) -> str:
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return str(metadata.current_details)


async def waiting_out_the_window(harness: Harness, handle: WorkflowHandle[Any, Any]) -> None:
    """Until the workflow says it waits for the window and waits on timers only (it also
    waits on a timer while it waits for its session, hence the details first)."""
    deadline = time.monotonic() + STATE_DEADLINE_SECONDS
    while not (await details(handle)).startswith(UNTIL):
        assert time.monotonic() < deadline, await details(handle)
        await asyncio.sleep(0.05)
    await harness.waiting_on_timers(handle)


async def history_counts(handle: WorkflowHandle[Any, Any]) -> dict[str, int]:
    events = (await handle.fetch_history()).events
    count = lambda kind: sum(event.event_type == kind for event in events)  # noqa: E731
    return {
        # The window's timers (30 min), not the 15-minute re-ask while a session is awaited.
        "timers": sum(
            event.timer_started_event_attributes.start_to_fire_timeout.seconds >= 1800
            for event in events
            if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED
        ),
        "patches": sum(
            event.marker_recorded_event_attributes.marker_name == "core_patch"
            for event in events
            if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
        ),
        "failed": count(EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED),
    }


async def test_a_full_length_window_is_waited_out_on_one_timer(harness: Harness) -> None:
    harness.portal.in_maintenance["check_statement"] = 1
    handle = await harness.start_payment()
    await waiting_out_the_window(harness, handle)

    assert await details(handle) == UNTIL
    progress = await handle.query(PostPaymentWorkflow.progress)
    assert progress.step is PaymentStep.PAYING
    started = await harness.env.get_current_time()
    await harness.env.sleep(WINDOW)
    result = await handle.result()

    assert await harness.env.get_current_time() - started >= timedelta(seconds=1800)
    assert result.payment.confirmation_number == "CONF-0001"
    assert harness.portal.calls["check_statement"] == 2
    # Four patches: waiting out maintenance, recording the outcome (the API's), the payment
    # as one activity, its bookkeeping in process.
    assert await history_counts(handle) == {"timers": 1, "patches": 4, "failed": 0}
    assert (await details(handle)).startswith("completed")


async def test_every_step_waits_and_the_payment_is_posted_once(harness: Harness) -> None:
    harness.portal.in_maintenance.update(post_payment=1, download_receipt=1)
    handle = await harness.start_payment()
    for _ in range(2):
        await waiting_out_the_window(harness, handle)
        await harness.env.sleep(WINDOW)
    result = await handle.result()

    assert list(harness.portal.ledger.values()) == [result.payment]
    # One activity: the window met at the receipt came after the submit, so the rerun found
    # the payment by its reference instead of posting it again.
    assert result.already_posted
    assert harness.portal.calls["pay_statement"] == 3
    assert harness.portal.calls["download_receipt"] == 2
    assert await history_counts(handle) == {"timers": 2, "patches": 4, "failed": 0}


async def test_a_window_still_on_after_the_wait_is_waited_out_again(harness: Harness) -> None:
    harness.portal.in_maintenance["check_statement"] = 2
    handle = await harness.start_payment()
    for _ in range(2):
        await waiting_out_the_window(harness, handle)
        await harness.env.sleep(WINDOW)
    await handle.result()
    assert harness.portal.calls["check_statement"] == 3
    assert (await history_counts(handle))["timers"] == 2


async def test_the_sign_in_waits_out_the_window_with_its_waiters(harness: Harness) -> None:
    harness.portal.in_maintenance["begin_login"] = 1
    handle = await harness.start_payment()
    view = await harness.session_state(lambda v: v.maintenance_until is not None)
    assert view.status is SessionStatus.SIGNING_IN and view.waiting_workflows == 1
    session = harness.session()
    await waiting_out_the_window(harness, session)
    await harness.waiting_on_timers(handle, session)

    await harness.env.sleep(WINDOW)
    await handle.result()
    assert harness.portal.calls["begin_login"] == 2
    after = await session.query(ConnectionSessionWorkflow.state)
    assert after.status is SessionStatus.ACTIVE and after.maintenance_until is None
    # The session may have continued as new since (its history limit is low here).
    runs, run_id, totals = 0, None, {"timers": 0, "patches": 0, "failed": 0}
    while True:
        run = harness.client.get_workflow_handle(session.id, run_id=run_id)
        totals = {k: v + totals[k] for k, v in (await history_counts(run)).items()}
        first = (await run.fetch_history()).events[0]
        run_id = first.workflow_execution_started_event_attributes.continued_execution_run_id
        runs += 1
        if not run_id:
            break
    assert totals == {"timers": 1, "patches": 1, "failed": 0}, runs


def awaiting_mfa(view: SessionView) -> bool:
    return view.status is SessionStatus.AWAITING_MFA


async def test_a_code_sent_during_the_window_is_not_an_attempt(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS
    harness.portal.in_maintenance["submit_mfa_code"] = 1
    handle = await harness.start_payment()
    session = harness.session()
    await harness.session_state(awaiting_mfa)

    during = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    assert not during.accepted and during.attempts_left == 3
    assert during.message.startswith(UNTIL)
    view = await session.query(ConnectionSessionWorkflow.state)
    assert view.challenge is not None and view.challenge.attempts_left == 3

    after = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    assert after.accepted
    await handle.result()
