"""Payment plans end to end: the real worker and activities, Chromium and each sandbox
portal that offers plans, on the time-skipping Temporal server with the sandbox's clock
moved alongside; the sandbox's charge attempts prove every installment drafted once."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.audit import AuditAction
from models.connection_session import session_workflow_id
from models.connections import PortalName
from models.errors import NotOffered, PlanChangeRefused
from models.events import EventType
from models.offerings import Process
from models.plan_enrollment import EnrollPlanRequest, PlanStep
from models.plans import InstallmentStatus, PlanStatus
from models.settings import Settings
from portals.browser import BrowserPool
from portals.offerings import offered_by
from sandbox.admin_client import SandboxAdmin, SandboxCard, SandboxPlan
from security.audit_log import open_audit_log
from starters.client import BillBridgeClient, PlanHandle
from starters.local.stack import WorkerProcess
from stores.events import EventLog
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.plan_clock import PlanClock
from tests.replay.recording import REPLAY_KEYRING, record_history
from tests.workflows.conftest import start_test_server
from workers.main import build_worker

PLAN_PORTALS = offered_by(Process.PAYMENT_PLANS)
pytestmark = pytest.mark.e2e
ON_EVERY_PLAN_PORTAL = pytest.mark.parametrize("portal_under_test", PLAN_PORTALS, indirect=True)
INSTALLMENTS = 12


@pytest_asyncio.fixture
async def skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own, on the replay keyring (histories kept for
    replay). Not one per module: a month's skip would fire every timer an earlier test's
    session or plan left behind, and once a skip after an earlier test's failed read left the
    server's timers stuck, failing every test after it."""
    env = await start_test_server(REPLAY_KEYRING)
    try:
        # Time moves only when a test moves it, with the sandbox's clock.
        with env.auto_time_skipping_disabled():
            yield env
    finally:
        await env.shutdown()


@pytest.fixture
def plan_queue() -> str:
    return f"e2e-plans-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def plan_client(skipping_env: WorkflowEnvironment, plan_queue: str) -> BillBridgeClient:
    return BillBridgeClient(skipping_env.client, plan_queue)


@pytest_asyncio.fixture
async def plan_worker(
    skipping_env: WorkflowEnvironment,
    settings: Settings,
    browser_pool: BrowserPool,
    plan_queue: str,
) -> AsyncIterator[Worker]:
    worker = build_worker(skipping_env.client, settings, browser_pool, task_queue=plan_queue)
    async with worker:
        yield worker


@pytest.fixture
def plan_worker_processes(
    skipping_env: WorkflowEnvironment, settings: Settings, plan_queue: str, tmp_path: Path
) -> Iterator[Callable[[], WorkerProcess]]:
    """Workers as processes on the time-skipping server (to be killed), stopped by pid."""
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        process = WorkerProcess(
            tmp_path / f"worker-{len(started)}.log",
            {
                "TEMPORAL_ADDRESS": skipping_env.client.service_client.config.target_host,
                "BILLBRIDGE_HOME": str(settings.home),
                "BILLBRIDGE_TASK_QUEUE": plan_queue,
                # No sticky queues: the test server never hands a killed worker's sticky
                # tasks on, where a real server does after a few seconds.
                "BILLBRIDGE_MAX_CACHED_WORKFLOWS": "0",
            },
        )
        started.append(process)
        process.start()
        return process

    yield start
    for process in started:
        process.stop()


@pytest_asyncio.fixture
async def clock(
    skipping_env: WorkflowEnvironment, portal_under_test: PortalUnderTest, setting: PlanSetting
) -> PlanClock:
    clock = PlanClock(
        skipping_env, portal_under_test.admin, session_workflow_id(setting.connection_id)
    )
    await clock.align()
    return clock


@dataclass(frozen=True)
class PlanSetting:
    connection_id: str
    statement_id: str
    balance_cents: int
    approving: SandboxCard
    declining: SandboxCard

    def request(self, card: SandboxCard, installments: int = INSTALLMENTS) -> EnrollPlanRequest:
        return EnrollPlanRequest(
            connection_id=self.connection_id,
            statement_id=self.statement_id,
            installment_amount_cents=-(-self.balance_cents // installments),
            payment_method_token=card.token,
            idempotency_key=f"plan-{uuid.uuid4().hex}",
        )


@pytest.fixture
def setting(portal_under_test: PortalUnderTest, connections: Connections) -> PlanSetting:
    """The demo user's largest statement with an approving and the declining card on file."""
    admin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    best = None
    for summary in admin.user(username).statements:
        statement = admin.statement(summary.statement_id)
        outcomes = {card.outcome for card in statement.payment_methods}
        if {"approved", "declined"} <= outcomes and (
            best is None or statement.balance_cents > best.balance_cents
        ):
            best = statement
    assert best is not None, "the seed has no statement fit for plans"
    methods = best.payment_methods
    return PlanSetting(
        connection_id=connections.add(username),
        statement_id=best.statement_id,
        balance_cents=best.balance_cents,
        approving=next(c for c in methods if c.outcome == "approved" and c.kind == "card"),
        declining=next(c for c in methods if c.outcome == "declined"),
    )


def back_office(admin: SandboxAdmin, reference: str) -> SandboxPlan:
    [plan] = admin.plans(reference)
    return plan


def succeeded_charges(plan: SandboxPlan) -> dict[int, int]:
    """Installment number → approved charges: exactly once is all ones."""
    return {
        installment.number: sum(1 for c in installment.charges if c.outcome == "succeeded")
        for installment in plan.installments
    }


def events_of(settings: Settings, workflow_id: str) -> list[EventType]:
    return [e.type for e in EventLog(settings.events_dir).events() if e.workflow_id == workflow_id]


def history_name(portal: PortalUnderTest, what: str) -> str:
    return f"EnrollPlanWorkflow--{portal.name.value}-{what}"


async def enrolled(client: BillBridgeClient, request: EnrollPlanRequest) -> PlanHandle:
    handle = await client.start_plan(request)
    view = await handle.enrolled()
    assert view.plan is not None, view
    return handle


@ON_EVERY_PLAN_PORTAL
async def test_a_twelve_installment_plan_is_followed_to_payoff(
    plan_worker: Worker,
    plan_client: BillBridgeClient,
    clock: PlanClock,
    setting: PlanSetting,
    portal_under_test: PortalUnderTest,
    settings: Settings,
) -> None:
    # Twelve drafts on Cedar; three elsewhere (twelve take one to two minutes a portal, the
    # workflow is the same on each, and each adapter's drafts to payoff are proven by
    # tests/contract/test_plan_contract.py).
    count = INSTALLMENTS if portal_under_test.name == PortalName.CEDAR else 3
    handle = await enrolled(plan_client, setting.request(setting.approving, count))

    outcome = await clock.follow_to_end(handle.workflow_id)

    assert outcome.status is PlanStatus.PAID_OFF
    assert [i.status for i in outcome.plan.installments] == [InstallmentStatus.DRAFTED] * count
    truth = back_office(portal_under_test.admin, outcome.plan.reference)
    assert truth.status == "paid_off"
    assert succeeded_charges(truth) == {n: 1 for n in range(1, count + 1)}
    log = open_audit_log(settings).entries(workflow_id=handle.workflow_id)
    actions = [json.loads(line)["action"] for line in log]
    assert actions.count(AuditAction.PLAN_INSTALLMENT_DRAFTED.value) == count
    assert actions[0] == AuditAction.PLAN_ENROLLED.value
    # The first run: the enrollment (a handle without a run id reads the latest run).
    first = handle.temporal_handle.first_execution_run_id
    await record_history(
        clock.env.client.get_workflow_handle(handle.workflow_id, run_id=first),
        f"EnrollPlanWorkflow--{portal_under_test.name}-enrolled",
    )
    await record_history(
        clock.current(handle.workflow_id), f"EnrollPlanWorkflow--{portal_under_test.name}-paid-off"
    )


@ON_EVERY_PLAN_PORTAL
async def test_a_declined_draft_is_recovered_by_a_new_payment_method(
    plan_worker: Worker,
    plan_client: BillBridgeClient,
    clock: PlanClock,
    setting: PlanSetting,
    portal_under_test: PortalUnderTest,
    settings: Settings,
) -> None:
    handle = await enrolled(plan_client, setting.request(setting.declining))
    while (await clock.view(handle.workflow_id)).progress.step is not PlanStep.DRAFT_RETRY_PENDING:
        assert await clock.to_next_check(handle.workflow_id)
        await clock.settled(handle.workflow_id)

    view = await handle.change_payment_method(setting.approving.token)
    assert view.plan is not None and view.plan.method_last4 == setting.approving.last4
    # Three more months, then cancel: enough to see the retry succeed and drafts go on.
    for _ in range(8):
        await clock.to_next_check(handle.workflow_id)
        truth = back_office(portal_under_test.admin, view.plan.reference)
        if sum(succeeded_charges(truth).values()) >= 3:
            break
    await clock.settled(handle.workflow_id)
    await handle.cancel()
    outcome = await clock.current(handle.workflow_id).result()

    assert outcome.status is PlanStatus.CANCELLED
    truth = back_office(portal_under_test.admin, view.plan.reference)
    first = truth.installments[0]
    outcomes = [c.outcome for c in first.charges]
    assert (outcomes[0], outcomes[-1]) == ("declined", "succeeded")
    assert all(count <= 1 for count in succeeded_charges(truth).values())
    events = [
        e for e in EventLog(settings.events_dir).events() if e.workflow_id == handle.workflow_id
    ]
    assert EventType.PLAN_INSTALLMENT_FAILED in [e.type for e in events]
    assert EventType.PLAN_DELINQUENT not in [e.type for e in events]


@ON_EVERY_PLAN_PORTAL
async def test_a_plan_whose_drafts_keep_failing_goes_delinquent(
    plan_worker: Worker,
    plan_client: BillBridgeClient,
    clock: PlanClock,
    setting: PlanSetting,
    portal_under_test: PortalUnderTest,
    settings: Settings,
) -> None:
    handle = await enrolled(plan_client, setting.request(setting.declining))

    outcome = await clock.follow_to_end(handle.workflow_id)

    assert outcome.status is PlanStatus.DELINQUENT
    truth = back_office(portal_under_test.admin, outcome.plan.reference)
    assert truth.status == "delinquent"
    rules = (await clock.view(handle.workflow_id)).rules
    assert rules is not None
    assert len(truth.installments[0].charges) == 1 + rules.max_draft_retries
    events = [
        e.type
        for e in EventLog(settings.events_dir).events()
        if e.workflow_id == handle.workflow_id
    ]
    assert events.count(EventType.PLAN_INSTALLMENT_FAILED) == 1 + rules.max_draft_retries
    assert events[-1] is EventType.PLAN_DELINQUENT
    await record_history(
        clock.current(handle.workflow_id),
        f"EnrollPlanWorkflow--{portal_under_test.name}-delinquent",
    )


# Cedar only (the default portal_under_test): a killed worker is the workflow's and the
# server's business, the same on every portal, and each portal's draft check re-read after a
# retry is in tests/contract/test_plan_contract.py; on all three it cost ~70 s of the suite's
# budget (the dead attempt's 10 s heartbeat timeout is waited out in real time).
async def test_a_worker_killed_while_a_plan_waits_and_during_a_draft_check(
    plan_worker_processes: Callable[[], WorkerProcess],
    plan_client: BillBridgeClient,
    clock: PlanClock,
    setting: PlanSetting,
    portal_under_test: PortalUnderTest,
) -> None:
    worker = plan_worker_processes()
    handle = await enrolled(plan_client, setting.request(setting.approving))
    assert await clock.settled(handle.workflow_id)

    worker.kill()  # while the plan waits on its timer to the first draft
    worker = plan_worker_processes()
    reference = (await clock.view(handle.workflow_id)).plan.reference  # type: ignore[union-attr]
    # Two months on the new worker (a check may first renew the expired portal session).
    while sum(succeeded_charges(back_office(portal_under_test.admin, reference)).values()) < 2:
        assert await clock.to_next_check(handle.workflow_id), [
            e.event_type for e in (await clock.current(handle.workflow_id).fetch_history()).events
        ][-12:]
    assert await clock.settled(handle.workflow_id)
    third_due = back_office(portal_under_test.admin, reference).installments[2].due_on
    while True:  # to the third month's draft check
        _, fires_at = await clock.pending_timer(handle.workflow_id)
        await clock.skip_past_timer(handle.workflow_id)
        if fires_at.date().isoformat() >= third_due:
            break
        assert await clock.settled(handle.workflow_id)
    await clock.activity_started(handle.workflow_id, "read_plan")
    worker.kill()  # mid draft check
    plan_worker_processes()  # the attempt's heartbeat times out; the retry runs here

    assert await clock.settled(handle.workflow_id)
    await handle.cancel()
    outcome = await clock.current(handle.workflow_id).result()

    truth = back_office(portal_under_test.admin, outcome.plan.reference)
    charged = succeeded_charges(truth)
    assert [charged[n] for n in (1, 2, 3)] == [1, 1, 1], truth.model_dump_json(indent=1)
    assert all(count <= 1 for count in charged.values())
    drafted = [i.number for i in outcome.plan.installments if i.status is InstallmentStatus.DRAFTED]
    assert drafted == [1, 2, 3]


@ON_EVERY_PLAN_PORTAL
async def test_pause_resume_and_cancel_by_update_where_the_portal_pauses(
    plan_worker: Worker,
    plan_client: BillBridgeClient,
    clock: PlanClock,
    setting: PlanSetting,
    portal_under_test: PortalUnderTest,
) -> None:
    handle = await enrolled(plan_client, setting.request(setting.approving))
    assert await clock.settled(handle.workflow_id)
    reference = (await handle.view()).plan.reference  # type: ignore[union-attr]

    if portal_under_test.name not in offered_by(Process.PLAN_PAUSES):
        # Refused by the validator, naming the portal; nothing reaches the portal.
        with pytest.raises(NotOffered, match=f"{portal_under_test.name.value} does not offer"):
            await handle.pause()
        assert back_office(portal_under_test.admin, reference).status == "active"
    else:
        paused = await handle.pause()
        assert paused.plan is not None and paused.plan.status is PlanStatus.PAUSED
        assert back_office(portal_under_test.admin, reference).status == "paused"
        with pytest.raises(PlanChangeRefused):
            await handle.pause()
        resumed = await handle.resume()
        assert resumed.plan is not None and resumed.plan.status is PlanStatus.ACTIVE
        assert back_office(portal_under_test.admin, reference).status == "active"
    await handle.cancel()
    outcome = await clock.current(handle.workflow_id).result()

    assert outcome.status is PlanStatus.CANCELLED
    assert back_office(portal_under_test.admin, reference).status == "cancelled"
