"""EstimateToDepositWorkflow's logic on the time-skipping server with the browser faked:
the first check at the expected billing date, daily checks after it, a lost answer
reconciled by reference, a deposit never applied stopping for a person, a portal that
takes no deposits refused first, an ambiguous match never resubmitted."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.session_broker import SessionBroker
from models.audit import Actor, ActorKind, AuditAction
from models.deposits import (
    DepositProgress,
    DepositStep,
    EstimateDepositRequest,
    EstimateDepositResult,
)
from models.errors import AmbiguousPayment, DepositNotApplied, NotOffered
from models.events import EventType
from models.settings import Settings
from tests.workflows.fake_deposits import (
    BILLING_DATE,
    COLLECTED_ON,
    DEPOSIT_CENTS,
    ENCOUNTER_ID,
    STATEMENT_ID,
    FakeDeposits,
)
from tests.workflows.fake_portal import FakePortal
from tests.workflows.harness import STATE_DEADLINE_SECONDS, Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.estimate_to_deposit import EstimateToDepositWorkflow

DepositHandle = WorkflowHandle[EstimateToDepositWorkflow, EstimateDepositResult]
WHO = Actor(kind=ActorKind.OPERATOR, id="ops@example.test")


class DepositHarness:
    def __init__(self, harness: Harness, deposits: FakeDeposits) -> None:
        self.harness = harness
        self.deposits = deposits

    async def start(self, **changes: Any) -> DepositHandle:
        fields: dict[str, Any] = {
            "connection_id": self.harness.connection_id,
            "estimate_id": "EST-30030",
            "payment_method_token": "tok_visa_4242",
            "idempotency_key": uuid.uuid4().hex,
            "requested_by": WHO,
        }
        request = EstimateDepositRequest(**(fields | changes))
        handle = await self.harness.client.start_workflow(
            EstimateToDepositWorkflow.run,
            request,
            id=f"deposit-{request.idempotency_key}",
            task_queue=self.harness.task_queue,
        )
        self.harness._started.append(handle.id)
        return handle

    async def progress_at(self, handle: DepositHandle, step: DepositStep) -> DepositProgress:
        deadline = time.monotonic() + STATE_DEADLINE_SECONDS
        while True:
            progress = await handle.query(EstimateToDepositWorkflow.progress)
            if progress.step is step:
                return progress
            assert time.monotonic() < deadline, f"never reached {step}: {progress}"
            await asyncio.sleep(0.05)

    async def skip(self, handle: DepositHandle, duration: timedelta) -> None:
        """Once the workflow waits on its timer, move the server's clock by ``duration``."""
        await self.progress_at(handle, DepositStep.WAITING_FOR_BILLING)
        await self.harness.waiting_on_timers(handle)
        await self.harness.env.sleep(duration)


@pytest_asyncio.fixture
async def deposits(env: WorkflowEnvironment) -> AsyncIterator[DepositHarness]:
    portal, fake = FakePortal(), FakeDeposits()
    broker = SessionBroker(env.client, Settings())
    harness = Harness(
        env=env,
        task_queue=f"deposit-tests-{uuid.uuid4()}",
        connection_id=f"conn-{uuid.uuid4().hex[:12]}",
        portal=portal,
        mfa_timeout_seconds=600,
    )
    # Time moves only when a test says so (see tests/workflows/conftest.py).
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=harness.task_queue,
            workflows=[EstimateToDepositWorkflow, ConnectionSessionWorkflow],
            activities=[*portal.activities(), broker.obtain_session, *fake.activities()],
        ):
            try:
                yield DepositHarness(harness, fake)
            finally:
                await harness.terminate_all()


def failure_type(err: WorkflowFailureError) -> str | None:
    assert isinstance(err.cause, ApplicationError), err.cause
    return err.cause.type


async def test_checked_at_the_billing_date_then_daily_until_applied(
    deposits: DepositHarness,
) -> None:
    deposits.deposits.held_reads = 1  # the hospital bills a day late
    handle = await deposits.start()

    waiting = await deposits.progress_at(handle, DepositStep.WAITING_FOR_BILLING)
    started = (await handle.describe()).start_time
    assert waiting.next_check_at is not None and started is not None
    # The first check waits as long as the portal said: collected → expected billing date.
    assert waiting.next_check_at - started >= BILLING_DATE - COLLECTED_ON
    assert waiting.next_check_at - started < BILLING_DATE - COLLECTED_ON + timedelta(hours=1)
    assert deposits.deposits.calls["read_deposit"] == 0

    await deposits.skip(handle, BILLING_DATE - COLLECTED_ON)
    await deposits.skip(handle, timedelta(days=1))
    result = await handle.result()

    assert (result.statement_id, result.encounter_id) == (STATEMENT_ID, ENCOUNTER_ID)
    assert result.amount_applied.amount_cents == DEPOSIT_CENTS
    assert result.portal_checks == 2 and not result.already_collected
    assert len(deposits.deposits.ledger) == 1
    audit = deposits.harness.portal.audit
    assert [(e.action, e.outcome, e.actor) for e in audit] == [
        (AuditAction.DEPOSIT_COLLECTED, "collected", WHO),
        (AuditAction.DEPOSIT_APPLIED, "applied", WHO),
    ]
    assert audit[1].details["statement_id"] == STATEMENT_ID
    [event] = deposits.deposits.events
    assert event.type is EventType.DEPOSIT_APPLIED and event.data["encounter_id"] == ENCOUNTER_ID
    progress = await handle.query(EstimateToDepositWorkflow.progress)
    assert progress.step is DepositStep.APPLIED and STATEMENT_ID in progress.describe()


async def test_a_lost_answer_is_reconciled_not_collected_twice(deposits: DepositHarness) -> None:
    deposits.deposits.lost_answers = 1
    handle = await deposits.start()
    await deposits.skip(handle, BILLING_DATE - COLLECTED_ON)
    result = await handle.result()

    assert deposits.deposits.calls["collect_deposit"] == 2  # the retry found our reference
    assert result.already_collected and len(deposits.deposits.ledger) == 1
    assert [e.outcome for e in deposits.harness.portal.audit][:1] == ["already_collected"]


async def test_a_deposit_never_applied_stops_for_a_person(deposits: DepositHarness) -> None:
    deposits.deposits.held_reads = 99
    handle = await deposits.start(follow_days=2)
    await deposits.skip(handle, BILLING_DATE - COLLECTED_ON)
    await deposits.skip(handle, timedelta(days=1))
    await deposits.skip(handle, timedelta(days=1))

    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert failure_type(failed.value) == DepositNotApplied.__name__
    assert deposits.deposits.calls["read_deposit"] == 3  # the billing date, then two days
    progress = await handle.query(EstimateToDepositWorkflow.progress)
    assert progress.step is DepositStep.FAILED


async def test_a_portal_without_deposits_is_refused_before_any_session(
    deposits: DepositHarness,
) -> None:
    deposits.deposits.offered = False
    with pytest.raises(WorkflowFailureError) as failed:
        await (await deposits.start()).result()
    assert failure_type(failed.value) == NotOffered.__name__
    assert deposits.harness.portal.calls["begin_login"] == 0
    assert deposits.deposits.calls["collect_deposit"] == 0


async def test_an_ambiguous_match_stops_without_resubmitting(deposits: DepositHarness) -> None:
    deposits.deposits.collect_failure = AmbiguousPayment("2 deposits carry reference BB-…")
    with pytest.raises(WorkflowFailureError) as failed:
        await (await deposits.start()).result()
    assert failure_type(failed.value) == AmbiguousPayment.__name__
    assert deposits.deposits.calls["collect_deposit"] == 1
    [entry] = deposits.harness.portal.audit
    assert (entry.action, entry.outcome) == (AuditAction.DEPOSIT_FAILED, "AmbiguousPayment")
