"""EstimateToDepositWorkflow end to end: the real worker, Chromium and the HealthPay24
sandbox. The deposit is collected once, the sandbox clock and the Temporal server's clock
(the time-skipping server, moved by hand) are moved past the billing date together, and the
workflow reports the statement and encounter it went to: the estimate's own visit, not the
other upcoming one. A crash after the submit leaves exactly one deposit; Cedar and Patientco
refuse with NotOffered. The crash and refusals run on the dev server (no timer is reached)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.connections import PortalName
from models.deposits import DepositProgress, DepositStep, EstimateDepositRequest
from models.errors import NotOffered
from models.settings import Settings
from portals.browser import BrowserPool
from sandbox.admin_client import SandboxEstimate
from sandbox.launcher import PortalProcess
from starters.client import BillBridgeClient
from starters.client.operations import OperationHandle
from starters.local.stack import WorkerProcess
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import processor_charges, run_billbridge
from tests.replay.recording import REPLAY_KEYRING, record_history
from tests.workflows.conftest import start_test_server
from tests.workflows.fake_portal import FakePortal
from tests.workflows.harness import Harness
from workers.main import build_worker

HEALTHPAY24 = pytest.mark.parametrize("portal_under_test", [PortalName.HEALTHPAY24], indirect=True)
DAY = 24 * 3600
BROWSER_DEADLINE_SECONDS = 180.0


@pytest_asyncio.fixture
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (these skip days; timers an earlier test left
    behind would fire in them), speaking the e2e keyring (its histories replay)."""
    env = await start_test_server(REPLAY_KEYRING)
    try:
        yield env
    finally:
        await env.shutdown()


def demo_deposit(
    portal: PortalUnderTest, connections: Connections
) -> tuple[EstimateDepositRequest, SandboxEstimate, SandboxEstimate]:
    """A deposit on the demo patient's later active estimate, and the other active one."""
    username = portal.sandbox.demo_username
    active = [e for e in portal.admin.estimates(username) if e.status == "active"]
    other, chosen = sorted(active, key=lambda e: e.service_date)[:2]
    token = next(
        c.token for c in portal.admin.user(username).cards
        if c.kind == "card" and c.outcome == "approved"
    )  # fmt: skip
    request = EstimateDepositRequest(
        connection_id=connections.add(username),
        estimate_id=chosen.estimate_id,
        payment_method_token=token,
        idempotency_key=uuid.uuid4().hex,
    )
    return request, chosen, other


async def reach(
    handle: OperationHandle[Any, DepositProgress], step: DepositStep
) -> DepositProgress:
    deadline = time.monotonic() + BROWSER_DEADLINE_SECONDS
    while True:
        progress = await handle.progress()
        if progress.step is step:
            return progress
        assert progress.step is not DepositStep.FAILED, progress
        assert time.monotonic() < deadline, f"never reached {step}: {progress}"
        await asyncio.sleep(0.25)


@HEALTHPAY24
async def test_a_deposit_is_applied_to_the_right_encounter(
    skipping_env: WorkflowEnvironment,
    settings: Settings,
    browser_pool: BrowserPool,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    admin = portal_under_test.admin
    request, chosen, other = demo_deposit(portal_under_test, connections)
    task_queue = f"e2e-deposit-{uuid.uuid4().hex[:8]}"
    client = BillBridgeClient(skipping_env.client, task_queue)
    timers = Harness(skipping_env, task_queue, request.connection_id, FakePortal(), 600)
    with skipping_env.auto_time_skipping_disabled():
        async with build_worker(skipping_env.client, settings, browser_pool, task_queue=task_queue):
            handle = await client.start_deposit(request)
            waiting = await reach(handle, DepositStep.WAITING_FOR_BILLING)
            [held] = admin.deposits()
            assert held.statement_id is None and held.encounter_id == chosen.encounter_id
            assert held.amount_cents == chosen.deposit_cents and held.note.startswith("BB-")

            # The hospital bills the visit two days after it: move both clocks past that.
            billing = date.fromisoformat(chosen.service_date) + timedelta(days=2)
            days = (billing - date.fromisoformat(held.collected_on)).days
            admin.advance_clock(days * DAY + 60)
            await timers.waiting_on_timers(handle.temporal_handle)
            await skipping_env.sleep(timedelta(days=days))
            result = await asyncio.wait_for(handle.result(), BROWSER_DEADLINE_SECONDS)
            assert (await handle.progress()).step is DepositStep.APPLIED  # a worker answers
    await record_history(handle.temporal_handle, "EstimateToDepositWorkflow--applied")

    assert waiting.deposit_id == held.deposit_id
    [applied] = admin.deposits(reference=held.note)
    assert applied.statement_id == result.statement_id
    assert result.encounter_id == chosen.encounter_id != other.encounter_id
    assert result.amount_applied.amount_cents == chosen.deposit_cents == applied.applied_cents
    assert result.portal_checks == 1 and not result.already_collected
    assert [line.code for line in result.estimate.lines] == [line.code for line in chosen.lines]
    statement = admin.statement(result.statement_id)
    assert statement.encounter_id == chosen.encounter_id
    assert statement.balance_cents == statement.total_cents - chosen.deposit_cents


@HEALTHPAY24
async def test_a_crash_after_the_deposit_submit_leaves_one_deposit(
    client: BillBridgeClient,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    admin = portal_under_test.admin
    request, chosen, _ = demo_deposit(portal_under_test, connections)
    admin.set_faults(crash_after_submit=1)

    handle = await client.start_deposit(request)
    waiting = await reach(handle, DepositStep.WAITING_FOR_BILLING)
    try:
        [deposit] = admin.deposits()  # the browser's resend and our retry paid nothing more
        assert deposit.deposit_id == waiting.deposit_id
        assert deposit.estimate_id == chosen.estimate_id
        history = await handle.temporal_handle.fetch_history()
        attempts = [
            e for e in history.events
            if e.WhichOneof("attributes") == "activity_task_started_event_attributes"
            and e.activity_task_started_event_attributes.attempt > 1
        ]  # fmt: skip
        assert attempts, "the lost answer should have been retried into a lookup"
    finally:
        await handle.temporal_handle.terminate("test over: the deposit waits for billing")


@HEALTHPAY24
async def test_a_worker_killed_during_the_deposit_submit_charges_once(
    client: BillBridgeClient,
    worker_process_factory: Callable[[], WorkerProcess],
    portal_under_test: PortalUnderTest,
    connections: Connections,
    processor: PortalProcess,
) -> None:
    """The worker dies after the portal recorded the deposit and before the browser saw the
    answer (the sandbox holds it): the next worker finds the deposit by its note."""
    admin = portal_under_test.admin
    request, chosen, _ = demo_deposit(portal_under_test, connections)
    first = worker_process_factory()
    admin.set_faults(hold_after_submit=1)
    handle = await client.start_deposit(request)
    for _ in range(1200):
        if admin.held_responses() == 1 and admin.deposits():
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the portal never recorded the deposit while holding its answer")
    first.kill()
    assert admin.release_held() == 1  # the browser that waited for it is gone

    worker_process_factory()
    try:
        waiting = await reach(handle, DepositStep.WAITING_FOR_BILLING)
        [deposit] = admin.deposits()
        assert deposit.deposit_id == waiting.deposit_id
        charges = processor_charges(processor.base_url, request.payment_method_token)
        assert [(c["amount_cents"], c["status"]) for c in charges] == [
            (chosen.deposit_cents, "succeeded")
        ]
    finally:
        await handle.temporal_handle.terminate("test over: the deposit waits for billing")


@pytest.mark.parametrize(
    "portal_under_test", [PortalName.CEDAR, PortalName.PATIENTCO], indirect=True
)
async def test_portals_without_deposits_refuse_naming_the_portal(
    client: BillBridgeClient,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    request = EstimateDepositRequest(
        connection_id=connections.add(portal_under_test.sandbox.demo_username),
        estimate_id="EST-1",
        payment_method_token="tok_visa_4242",
        idempotency_key=uuid.uuid4().hex,
    )
    handle = await client.start_deposit(request)
    with pytest.raises(WorkflowFailureError) as failed:
        await asyncio.wait_for(handle.temporal_handle.result(), 60)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == NotOffered.__name__
    assert cause.message.startswith(f"{portal_under_test.name} does not offer estimate deposits")
    assert "healthpay24" in cause.message


@pytest.mark.parametrize("portal_under_test", [PortalName.CEDAR], indirect=True)
async def test_the_cli_refusal_is_one_typed_line(
    settings: Settings,
    task_queue: str,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    connection = connections.add(portal_under_test.sandbox.demo_username)
    status, output = await run_billbridge(
        settings, task_queue, "deposit", "--connection", connection,
        "--estimate", "EST-1", "--method", "tok_visa_4242",
    )  # fmt: skip
    assert status == 1, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert errors == [next(line for line in output.splitlines() if "NotOffered" in line)], output
    assert errors[0].startswith("error: NotOffered: cedar does not offer estimate deposits")
