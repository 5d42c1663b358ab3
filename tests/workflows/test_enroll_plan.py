"""EnrollPlanWorkflow's logic on the time-skipping server with the portal faked: months of
drafts in seconds, failed drafts, delinquency, the Updates and their validators."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType as HistoryEventType
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.session_broker import SessionBroker
from models.audit import AuditAction
from models.errors import (
    InstallmentBelowMinimum,
    NotOffered,
    PlanNotEligible,
    PlanTermTooLong,
)
from models.events import EventType
from models.plan_enrollment import InstallmentChange, PaymentMethodChange, PlanAction, PlanStep
from models.plans import InstallmentStatus, PlanStatus
from models.settings import Settings
from tests.replay.recording import REPLAY_KEYRING, record_history
from tests.workflows.conftest import start_test_server
from tests.workflows.fake_plans import DECLINING_TOKEN, FakePlanPortal
from tests.workflows.fake_portal import FakePortal
from tests.workflows.plan_harness import PlanHandle, PlanHarness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.enroll_plan import EnrollPlanWorkflow

WORKFLOW_TASK_EVENTS = {
    HistoryEventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
    HistoryEventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
    HistoryEventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
}
# Each run of a followed plan is one installment's worth of events: a few dozen.
SMALL_HISTORY = 60


@pytest_asyncio.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A server of the test's own (plans skip months), on the replay keyring: its histories
    are kept for the replay tests (``BILLBRIDGE_RECORD_HISTORIES=1``)."""
    environment = await start_test_server(REPLAY_KEYRING)
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest_asyncio.fixture
async def plans(env: WorkflowEnvironment) -> AsyncIterator[PlanHarness]:
    portal = FakePortal()
    fake_plans = FakePlanPortal(env.get_current_time)
    broker = SessionBroker(env.client, Settings())
    harness = PlanHarness(
        env=env,
        task_queue=f"plan-tests-{uuid.uuid4()}",
        connection_id=f"conn-{uuid.uuid4().hex[:12]}",
        portal=portal,
        plans=fake_plans,
    )
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=harness.task_queue,
            workflows=[EnrollPlanWorkflow, ConnectionSessionWorkflow],
            activities=[*portal.activities(), *fake_plans.activities(), broker.obtain_session],
        ):
            try:
                yield harness
            finally:
                await harness.terminate_all()


def failure_type(err: BaseException) -> str | None:
    cause = err.cause if isinstance(err, WorkflowFailureError | WorkflowUpdateFailedError) else err
    assert isinstance(cause, ApplicationError), cause
    return cause.type


def first_run(plans: PlanHarness, handle: PlanHandle) -> PlanHandle:
    """The plan's first run (a handle without a run id reads the latest)."""
    return plans.env.client.get_workflow_handle_for(
        EnrollPlanWorkflow.run, handle.id, run_id=handle.first_execution_run_id
    )


async def until_step(plans: PlanHarness, handle: PlanHandle, *steps: PlanStep) -> None:
    """Let time pass a check at a time until the plan, settled on a timer, is at a step."""
    for _ in range(100):
        await plans.settled(handle)
        if (await plans.view(handle)).progress.step in steps:
            return
        await plans.next_check(handle)
    raise AssertionError(f"never reached {steps}")


async def test_twelve_installments_are_followed_to_payoff_on_small_histories(
    plans: PlanHarness,
) -> None:
    handle = await plans.start()

    outcome = await plans.follow_to_end(handle)

    assert outcome.status is PlanStatus.PAID_OFF
    assert not outcome.already_enrolled
    assert [i.status for i in outcome.plan.installments] == [InstallmentStatus.DRAFTED] * 12
    assert plans.plans.drafts(outcome.plan_id) == {n: 1 for n in range(1, 13)}
    assert plans.plans.calls["enroll_plan"] == 1
    # One run per drafted installment (the state carried over), each history small.
    assert await plans.runs(handle) >= 12
    last = await plans.latest(handle).fetch_history()
    assert len(last.events) < SMALL_HISTORY
    actions = [entry.action for entry in plans.portal.audit]
    assert actions == [AuditAction.PLAN_ENROLLED] + [AuditAction.PLAN_INSTALLMENT_DRAFTED] * 12
    assert {entry.actor for entry in plans.portal.audit} == {plans.request().requested_by}
    balance = await plans.latest(handle).query(EnrollPlanWorkflow.balance)
    assert balance.remaining_balance.amount_cents == 0
    assert plans.plans.events == []
    await record_history(plans.latest(handle), "EnrollPlanWorkflow--paid-off-last-run")
    await record_history(first_run(plans, handle), "EnrollPlanWorkflow--enrolled-first-run")


async def test_a_declined_draft_is_recovered_after_a_payment_method_change(
    plans: PlanHarness,
) -> None:
    handle = await plans.start(payment_method_token=DECLINING_TOKEN)
    await until_step(plans, handle, PlanStep.DRAFT_RETRY_PENDING)
    [failed] = plans.plans.events
    assert failed.type is EventType.PLAN_INSTALLMENT_FAILED
    assert failed.data["installment_number"] == 1

    view = await plans.latest(handle).execute_update(
        EnrollPlanWorkflow.change_payment_method,
        PaymentMethodChange(payment_method_token="tok_visa_4242"),
    )
    assert view.plan is not None and view.plan.method_last4 == "4242"
    outcome = await plans.follow_to_end(handle)

    assert outcome.status is PlanStatus.PAID_OFF
    assert plans.plans.drafts(outcome.plan_id) == {n: 1 for n in range(1, 13)}
    first = [c for c in plans.plans.charges if c[1] == 1]
    assert [c[3] for c in first] == ["declined", "ok"]
    assert [e.type for e in plans.plans.events] == [EventType.PLAN_INSTALLMENT_FAILED]
    assert AuditAction.PLAN_CHANGED in [e.action for e in plans.portal.audit]
    await record_history(
        first_run(plans, handle), "EnrollPlanWorkflow--declined-then-method-changed"
    )


async def test_a_plan_whose_drafts_keep_failing_ends_delinquent(plans: PlanHarness) -> None:
    handle = await plans.start(payment_method_token=DECLINING_TOKEN)

    outcome = await plans.follow_to_end(handle)

    assert outcome.status is PlanStatus.DELINQUENT
    events = [(e.type, e.data.get("attempt")) for e in plans.plans.events]
    assert events == [
        (EventType.PLAN_INSTALLMENT_FAILED, 1),
        (EventType.PLAN_INSTALLMENT_FAILED, 2),
        (EventType.PLAN_INSTALLMENT_FAILED, 3),
        (EventType.PLAN_DELINQUENT, None),
    ]
    # The first draft and the portal's two retries, nothing more.
    assert len(plans.plans.charges) == 1 + plans.plans.max_draft_retries
    assert (await plans.view(handle)).progress.step is PlanStep.DELINQUENT
    await record_history(plans.latest(handle), "EnrollPlanWorkflow--delinquent")


async def test_pause_resume_change_and_cancel_by_update(plans: PlanHarness) -> None:
    handle = await plans.start()
    await until_step(plans, handle, PlanStep.WAITING_FOR_DRAFT)
    current = plans.latest(handle)

    paused = await current.execute_update(EnrollPlanWorkflow.pause, PlanAction())
    assert paused.plan is not None and paused.plan.status is PlanStatus.PAUSED
    for _ in range(200):  # the follower takes the pause on its next task
        if (await plans.view(handle)).progress.step is PlanStep.PAUSED:
            break
        await asyncio.sleep(0.05)
    assert (await plans.view(handle)).progress.step is PlanStep.PAUSED
    resumed = await current.execute_update(EnrollPlanWorkflow.resume, PlanAction())
    assert resumed.plan is not None and resumed.plan.status is PlanStatus.ACTIVE
    changed = await current.execute_update(
        EnrollPlanWorkflow.change_installment_amount,
        InstallmentChange(installment_amount_cents=20_000),
    )
    assert changed.plan is not None and len(changed.plan.installments) == 6
    next_draft = await current.query(EnrollPlanWorkflow.next_draft)
    assert next_draft.amount is not None and next_draft.amount.amount_cents == 20_000
    await plans.next_check(handle)  # the first installment drafts at the new amount
    await until_step(plans, handle, PlanStep.WAITING_FOR_DRAFT)

    cancelled = await plans.latest(handle).execute_update(EnrollPlanWorkflow.cancel, PlanAction())
    outcome = await handle.result()

    assert cancelled.plan is not None and cancelled.plan.status is PlanStatus.CANCELLED
    assert outcome.status is PlanStatus.CANCELLED
    assert plans.plans.drafts(outcome.plan_id) == {1: 1}
    await record_history(plans.latest(handle), "EnrollPlanWorkflow--cancelled-by-update")
    actions = [e.action for e in plans.portal.audit]
    assert actions == [
        AuditAction.PLAN_ENROLLED,
        AuditAction.PLAN_PAUSED,
        AuditAction.PLAN_RESUMED,
        AuditAction.PLAN_CHANGED,
        AuditAction.PLAN_INSTALLMENT_DRAFTED,
        AuditAction.PLAN_CANCELLED,
    ]


async def test_invalid_changes_are_refused_by_validators_before_history(
    plans: PlanHarness,
) -> None:
    plans.plans.pausable = False
    handle = await plans.start()
    await until_step(plans, handle, PlanStep.WAITING_FOR_DRAFT)
    current = plans.latest(handle)
    before = len((await current.fetch_history()).events)

    refusals = [
        (EnrollPlanWorkflow.pause, PlanAction(), NotOffered),
        (EnrollPlanWorkflow.resume, PlanAction(), NotOffered),
        (
            EnrollPlanWorkflow.change_installment_amount,
            InstallmentChange(installment_amount_cents=100),
            InstallmentBelowMinimum,
        ),
        (
            EnrollPlanWorkflow.change_installment_amount,
            InstallmentChange(installment_amount_cents=4_000),
            PlanTermTooLong,
        ),
        (
            EnrollPlanWorkflow.change_payment_method,
            PaymentMethodChange(payment_method_token="not a token"),
            type(None),
        ),
    ]
    for update, argument, expected in refusals:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await current.execute_update(update, argument)  # type: ignore[arg-type]
        if expected is not type(None):
            assert failure_type(refused.value) == expected.__name__

    history = await current.fetch_history()
    # No Update reached history: nothing accepted, no activity run. (A real server writes
    # nothing at all for a rejected Update; the test server records the empty workflow task
    # it ran the validator in, hence only task events may follow.)
    later = {event.event_type for event in history.events[before:]}
    assert later <= WORKFLOW_TASK_EVENTS
    assert plans.plans.calls["change_plan"] == 0


async def test_an_ineligible_plan_is_refused_before_enrolling(plans: PlanHarness) -> None:
    cases = [
        ({"installment_amount_cents": 1_000}, InstallmentBelowMinimum),
        ({"installment_amount_cents": 4_000}, PlanTermTooLong),
    ]
    for changes, expected in cases:
        with pytest.raises(WorkflowFailureError) as refused:
            await (await plans.start(**changes)).result()
        assert failure_type(refused.value) == expected.__name__
    plans.plans.balance_cents = 3_000
    with pytest.raises(WorkflowFailureError) as refused:
        await (await plans.start(installment_amount_cents=3_000)).result()
    assert failure_type(refused.value) == PlanNotEligible.__name__
    assert plans.plans.calls["enroll_plan"] == 0


async def test_a_portal_without_plans_is_refused_naming_it(plans: PlanHarness) -> None:
    plans.plans.offered = False

    with pytest.raises(WorkflowFailureError) as refused:
        await (await plans.start()).result()

    assert failure_type(refused.value) == NotOffered.__name__
    assert plans.portal.calls["begin_login"] == 0
