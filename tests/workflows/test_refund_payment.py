"""RefundPaymentWorkflow and the payment's refund lock with the browser faked: void or
refund as the portal allows, refusals before any submit, lost answers reconciled, and two
refunds of one payment one after the other."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WithStartWorkflowOperation, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.refund_locks import RefundLockBroker
from activities.session_broker import SessionBroker
from models.audit import AuditAction
from models.connection_session import session_workflow_id
from models.errors import (
    AmbiguousPayment,
    NotOffered,
    PaymentNotRefundable,
    RefundExceedsNet,
)
from models.money import Money
from models.refund_locks import AcquireRefundLock, RefundLockInput, refund_lock_workflow_id
from models.refunds import (
    Refund,
    RefundKind,
    RefundReason,
    RefundRequest,
    RefundResult,
    RefundStep,
)
from models.settings import Settings
from tests.workflows.conftest import start_test_server
from tests.workflows.fake_portal import FakePortal
from tests.workflows.fake_refunds import FakeRefunds
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.policies import REFUND_LOCK_HOLD_LIMIT
from workflows.references import client_reference
from workflows.refund_lock import PaymentRefundLockWorkflow
from workflows.refund_payment import RefundPaymentWorkflow

PAYMENT = "PAY-1"


@dataclass
class RefundHarness:
    env: WorkflowEnvironment
    task_queue: str
    connection_id: str
    portal: FakePortal
    refunds: FakeRefunds
    started: list[str] = field(default_factory=list)

    async def start(self, **changes: Any) -> WorkflowHandle[RefundPaymentWorkflow, RefundResult]:
        fields: dict[str, Any] = {
            "connection_id": self.connection_id,
            "confirmation_number": PAYMENT,
            "reason": RefundReason.OVERPAYMENT,
            "idempotency_key": uuid.uuid4().hex,
        }
        request = RefundRequest(**(fields | changes))
        handle = await self.env.client.start_workflow(
            RefundPaymentWorkflow.run,
            request,
            id=f"refund-{request.idempotency_key}",
            task_queue=self.task_queue,
        )
        self.started.append(handle.id)
        return handle

    async def terminate_all(self) -> None:
        """Nothing keeps running into the next test (its timers would fire there)."""
        lock = refund_lock_workflow_id(self.connection_id, PAYMENT)
        for workflow_id in [*self.started, lock, session_workflow_id(self.connection_id)]:
            with contextlib.suppress(RPCError):  # finished already, or never started
                await self.env.client.get_workflow_handle(workflow_id).terminate("test over")

    async def step(self, handle: WorkflowHandle[Any, Any], step: RefundStep) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if (await handle.query(RefundPaymentWorkflow.progress)).step is step:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{handle.id} never reached {step}")


@pytest_asyncio.fixture
async def refund_harness(env: WorkflowEnvironment) -> AsyncIterator[RefundHarness]:
    async with _refund_harness(env) as harness:
        yield harness


@pytest_asyncio.fixture
async def own_server_harness() -> AsyncIterator[RefundHarness]:
    """A test server of its own, for a test that skips an hour: on the shared one that
    would fire every timer other tests left behind."""
    env = await start_test_server()
    try:
        async with _refund_harness(env) as harness:
            yield harness
    finally:
        await env.shutdown()


@contextlib.asynccontextmanager
async def _refund_harness(env: WorkflowEnvironment) -> AsyncIterator[RefundHarness]:
    portal, refunds = FakePortal(), FakeRefunds()
    settings = Settings(mfa_timeout_seconds=600, session_history_limit=20)
    harness = RefundHarness(
        env, f"refund-tests-{uuid.uuid4()}", f"conn-{uuid.uuid4().hex[:12]}", portal, refunds
    )
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=harness.task_queue,
            workflows=[RefundPaymentWorkflow, PaymentRefundLockWorkflow, ConnectionSessionWorkflow],
            activities=[
                *portal.activities(),
                *refunds.activities(),
                SessionBroker(env.client, settings).obtain_session,
                RefundLockBroker(env.client).acquire_refund_lock,
            ],
        ):
            try:
                yield harness
            finally:
                await harness.terminate_all()


def failure_type(err: WorkflowFailureError) -> str | None:
    assert isinstance(err.cause, ApplicationError), err.cause
    return err.cause.type


async def test_an_unsettled_payment_is_voided_whole(refund_harness: RefundHarness) -> None:
    refund_harness.refunds.settled = False

    result = await (await refund_harness.start()).result()

    assert result.refund.kind is RefundKind.VOID
    assert result.refund.amount.amount_cents == 10_000
    assert result.net_paid_after.amount_cents == 0
    audit = refund_harness.portal.audit
    assert [(e.action, e.outcome) for e in audit] == [(AuditAction.PAYMENT_VOIDED, "void")]
    assert [e.type.value for e in refund_harness.refunds.events] == ["refund.completed"]


async def test_a_settled_payment_is_refunded_in_part(refund_harness: RefundHarness) -> None:
    handle = await refund_harness.start(amount_cents=2_500)
    result = await handle.result()

    assert (result.refund.kind, result.refund.amount.amount_cents) == (RefundKind.REFUND, 2_500)
    assert result.net_paid_after.amount_cents == 7_500
    assert result.refund.reference == client_reference(handle.id)
    audit = refund_harness.portal.audit
    assert [(e.action, e.outcome) for e in audit] == [(AuditAction.REFUND_POSTED, "refund")]
    assert audit[0].details["reason"] == "overpayment"
    assert (await handle.query(RefundPaymentWorkflow.progress)).step is RefundStep.COMPLETED


async def test_above_the_net_paid_is_refused_before_any_submit(
    refund_harness: RefundHarness,
) -> None:
    with pytest.raises(WorkflowFailureError) as failed:
        await (await refund_harness.start(amount_cents=10_001)).result()

    assert failure_type(failed.value) == RefundExceedsNet.__name__
    assert refund_harness.refunds.calls["submit_refund"] == 0
    audit = refund_harness.portal.audit
    assert [(e.action, e.outcome) for e in audit] == [
        (AuditAction.REFUND_FAILED, RefundExceedsNet.__name__)
    ]


async def test_a_partial_refund_before_settlement_is_refused(
    refund_harness: RefundHarness,
) -> None:
    refund_harness.refunds.settled = False

    with pytest.raises(WorkflowFailureError) as failed:
        await (await refund_harness.start(amount_cents=1_000)).result()

    assert failure_type(failed.value) == PaymentNotRefundable.__name__
    assert refund_harness.refunds.calls["submit_refund"] == 0


async def test_a_lost_answer_is_reconciled_not_refunded_twice(
    refund_harness: RefundHarness,
) -> None:
    refund_harness.refunds.lost_confirmations = 1

    result = await (await refund_harness.start(amount_cents=3_000)).result()

    assert result.already_refunded
    assert refund_harness.refunds.calls["submit_refund"] == 2
    assert refund_harness.refunds.refunded_cents == 3_000
    assert [e.outcome for e in refund_harness.portal.audit] == ["already_refunded"]


async def test_our_reference_on_another_refund_stops_for_a_person(
    refund_harness: RefundHarness,
) -> None:
    key = uuid.uuid4().hex
    reference = client_reference(f"refund-{key}")
    refund_harness.refunds.ledger[reference] = Refund(
        refund_id="RF-OTHER",
        confirmation_number=PAYMENT,
        kind=RefundKind.REFUND,
        amount=Money(amount_cents=999),
        reference=reference,
    )

    with pytest.raises(WorkflowFailureError) as failed:
        await (await refund_harness.start(amount_cents=3_000, idempotency_key=key)).result()

    assert failure_type(failed.value) == AmbiguousPayment.__name__
    assert refund_harness.refunds.refunded_cents == 999  # nothing more was given back


async def test_two_refunds_of_one_payment_run_one_after_the_other(
    refund_harness: RefundHarness,
) -> None:
    refunds = refund_harness.refunds
    refunds.hold_submits = asyncio.Event()
    first = await refund_harness.start(amount_cents=6_000)
    await refund_harness.step(first, RefundStep.REFUNDING)
    second = await refund_harness.start(amount_cents=6_000)
    await refund_harness.step(second, RefundStep.AWAITING_PAYMENT_LOCK)
    await asyncio.sleep(0.5)  # time for a wrong second reader to read the same net paid

    assert refunds.calls["read_refundable_payment"] == 1  # the second waits for the lock
    refunds.hold_submits.set()

    assert (await first.result()).net_paid_after.amount_cents == 4_000
    with pytest.raises(WorkflowFailureError) as failed:
        await second.result()
    assert failure_type(failed.value) == RefundExceedsNet.__name__
    assert refunds.refunded_cents == 6_000
    lock = refund_harness.env.client.get_workflow_handle(
        refund_lock_workflow_id(refund_harness.connection_id, PAYMENT)
    )
    await asyncio.wait_for(lock.result(), timeout=15)  # nobody holds or waits: it ended


async def test_a_portal_without_refunds_is_refused_before_any_session(
    refund_harness: RefundHarness,
) -> None:
    refund_harness.refunds.offered = False

    with pytest.raises(WorkflowFailureError) as failed:
        await (await refund_harness.start()).result()

    assert failure_type(failed.value) == NotOffered.__name__
    assert "cedar" in str(failed.value.cause)
    assert refund_harness.portal.calls["begin_login"] == 0


async def test_a_holder_that_never_releases_loses_the_lock_after_the_limit(
    own_server_harness: RefundHarness,
) -> None:
    """An operator terminated a refund while it held the lock: the next one goes ahead once
    the hold limit has passed (skipped here), and re-reads what is left before submitting."""
    refund_harness = own_server_harness
    client = refund_harness.env.client
    lock_id = refund_lock_workflow_id(refund_harness.connection_id, PAYMENT)
    start = WithStartWorkflowOperation(
        PaymentRefundLockWorkflow.run,
        RefundLockInput(connection_id=refund_harness.connection_id, confirmation_number=PAYMENT),
        id=lock_id,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=refund_harness.task_queue,
    )
    grant = await client.execute_update_with_start_workflow(
        PaymentRefundLockWorkflow.acquire,
        AcquireRefundLock(
            connection_id=refund_harness.connection_id,
            confirmation_number=PAYMENT,
            requester_workflow_id="refund-terminated-long-ago",
        ),
        start_workflow_operation=start,
    )
    assert grant.granted

    handle = await refund_harness.start(amount_cents=1_000)
    await refund_harness.step(handle, RefundStep.AWAITING_PAYMENT_LOCK)
    await asyncio.sleep(0.5)  # the acquire activity has answered "queued"
    assert refund_harness.refunds.calls["read_refundable_payment"] == 0
    await refund_harness.env.sleep(REFUND_LOCK_HOLD_LIMIT + timedelta(minutes=1))

    result = await asyncio.wait_for(handle.result(), timeout=15)
    assert result.net_paid_after.amount_cents == 9_000
