"""ConnectionCanaryWorkflow's logic on the time-skipping server, the walk faked and the
verdicts kept for real: a healthy portal is quiet, a drift is reported once with its step
and screenshot until a healthy run clears it, maintenance is not drift, and a sign-in that
meets a changed page is drift too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.canary import CanaryActivities
from activities.session_broker import SessionBroker
from models.canary import CanaryRequest, CanaryResult, CanaryStatus, CanaryStep
from models.errors import PortalChanged
from models.events import Event, EventType
from models.maintenance import PortalMaintenance
from models.settings import Settings
from stores.canary_states import CanaryStates
from tests.workflows.fake_canary import HEALTHY, NO_PAY_BUTTON, FakeCanaryWalk
from tests.workflows.fake_portal import FakePortal
from tests.workflows.harness import Harness
from workflows.canary import ConnectionCanaryWorkflow
from workflows.connection_session import ConnectionSessionWorkflow


@dataclass
class CanaryHarness:
    harness: Harness
    walk: FakeCanaryWalk
    states: CanaryStates

    @property
    def login(self) -> FakePortal:
        return self.harness.portal

    async def run(self) -> CanaryResult:
        handle = await self.harness.client.start_workflow(
            ConnectionCanaryWorkflow.run,
            CanaryRequest(connection_id=self.harness.connection_id),
            id=f"canary-{self.harness.connection_id}-{uuid.uuid4().hex[:8]}",
            task_queue=self.harness.task_queue,
        )
        self.harness._started.append(handle.id)
        return await handle.result()

    def drift_events(self) -> list[Event]:
        return [e for e in self.login.events if e.type is EventType.CONNECTION_DRIFT_DETECTED]


@pytest_asyncio.fixture
async def canary(env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[CanaryHarness]:
    login, walk = FakePortal(), FakeCanaryWalk()
    states = CanaryStates(tmp_path)
    harness = Harness(
        env=env,
        task_queue=f"canary-tests-{uuid.uuid4()}",
        connection_id=f"conn-{uuid.uuid4().hex[:12]}",
        portal=login,
        mfa_timeout_seconds=600,
    )
    # The walk is faked; the verdict is the real activity (it needs no browser).
    kept = CanaryActivities(sessions=None, states=states)  # type: ignore[arg-type]
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=harness.task_queue,
            workflows=[ConnectionCanaryWorkflow, ConnectionSessionWorkflow],
            activities=[
                *login.activities(), login.raise_event, SessionBroker(env.client, Settings())
                .obtain_session, walk.walk_portal, kept.note_outcome,
            ],
        ):  # fmt: skip
            try:
                yield CanaryHarness(harness, walk, states)
            finally:
                await harness.terminate_all()


async def test_an_unchanged_portal_is_quiet(canary: CanaryHarness) -> None:
    result = await canary.run()

    assert result.status is CanaryStatus.OK and result.statement_walked
    assert not result.reported
    assert canary.drift_events() == []
    assert canary.login.calls["begin_login"] == 1  # the sign-in was exercised


async def test_a_drift_is_reported_with_its_step_and_screenshot(canary: CanaryHarness) -> None:
    canary.walk.script.clear()
    canary.walk.script.append(NO_PAY_BUTTON)

    result = await canary.run()

    assert result.status is CanaryStatus.DRIFT and result.reported
    assert result.step is CanaryStep.PAY_FORM
    [event] = canary.drift_events()
    assert event.connection_id == canary.harness.connection_id
    assert event.data == {
        "step": "pay_form",
        "message": "pay_form: the form has no submit button",
        "screenshot_key": "failures/canary-x/1-1.png",
        "trace_key": "failures/canary-x/1-1.trace.zip",
    }


async def test_a_drift_is_not_reported_again_until_the_portal_is_healthy(
    canary: CanaryHarness,
) -> None:
    canary.walk.script.clear()
    canary.walk.script.extend([NO_PAY_BUTTON, NO_PAY_BUTTON, HEALTHY, NO_PAY_BUTTON])

    verdicts = [await canary.run() for _ in range(4)]

    assert [(r.status, r.reported) for r in verdicts] == [
        (CanaryStatus.DRIFT, True),
        (CanaryStatus.DRIFT, False),  # the same drift, already told
        (CanaryStatus.OK, False),
        (CanaryStatus.DRIFT, True),  # after a healthy run, a drift is news again
    ]
    assert len(canary.drift_events()) == 2
    assert canary.states.drifted(canary.harness.connection_id)


async def test_a_portal_in_maintenance_is_not_drift_and_keeps_the_verdict(
    canary: CanaryHarness,
) -> None:
    window = PortalMaintenance(
        until=datetime(2026, 12, 3, 2, 30, tzinfo=UTC), retry_after_seconds=60
    )
    canary.walk.script.clear()
    canary.walk.script.extend([NO_PAY_BUTTON, window, NO_PAY_BUTTON])

    verdicts = [await canary.run() for _ in range(3)]

    assert [(r.status, r.reported) for r in verdicts] == [
        (CanaryStatus.DRIFT, True),
        (CanaryStatus.MAINTENANCE, False),
        (CanaryStatus.DRIFT, False),  # maintenance did not count as healthy
    ]
    assert len(canary.drift_events()) == 1


async def test_a_changed_sign_in_page_is_drift_with_its_screenshot(
    canary: CanaryHarness,
) -> None:
    shot, trace = "failures/session-x/1-1.png", "failures/session-x/1-1.trace.zip"
    canary.login.login_failure = PortalChanged(
        "sign_in: the page lacks an element the adapter needs", {"screenshot": shot, "trace": trace}
    )

    result = await canary.run()

    assert result.status is CanaryStatus.DRIFT and result.reported
    assert result.step is CanaryStep.SIGN_IN
    assert (result.screenshot_key, result.trace_key) == (shot, trace)  # the session's reply
    assert canary.walk.walks == 0
    [event] = canary.drift_events()
    assert event.data == {
        "step": "sign_in",
        "message": "sign_in: the page lacks an element the adapter needs",
        "screenshot_key": shot,
        "trace_key": trace,
    }


async def test_an_expired_session_is_renewed_not_drift(canary: CanaryHarness) -> None:
    canary.walk.expire_once_then(HEALTHY)

    result = await canary.run()

    assert result.status is CanaryStatus.OK
    assert canary.walk.walks == 2
    assert canary.login.calls["begin_login"] == 2
