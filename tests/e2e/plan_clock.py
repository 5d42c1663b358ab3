"""Months of a payment plan in seconds: the time-skipping Temporal server and the sandbox's
clock moved together, a draft check at a time.

Temporal's test server runs on wall time plus what it skipped; the sandbox on wall time plus
its offset. Both are moved by the same amounts (the sandbox first, so autopay has drafted
what fell due before the workflow's timer fires and it looks), so they agree to a second.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models.plan_enrollment import PlanOutcome, PlanStep, PlanView
from sandbox.admin_client import SandboxAdmin
from tests.workflows.harness import _waits_on_timers_only
from workflows.enroll_plan import EnrollPlanWorkflow

# Real browser steps (and the logins a month-long skip forces) on a shared machine.
SETTLE_SECONDS = 180.0
# A plan waits on its timer between two looks at the portal in these steps only. In the others
# a timer may be pending too (a session reply's recheck while the session signs in): skipping
# it then would skip the check the plan is about to schedule (a portal's last retry, say).
_BETWEEN_CHECKS = (PlanStep.WAITING_FOR_DRAFT, PlanStep.DRAFT_RETRY_PENDING)


@dataclass
class PlanClock:
    env: WorkflowEnvironment
    admin: SandboxAdmin
    # The connection's session workflow: while it signs in, the plan waits on a timer too
    # (the session reply's recheck), and moving the sandbox's clock then would expire the
    # sign-in midway.
    session_workflow_id: str

    async def align(self) -> None:
        """Bring the sandbox's clock (reset per test) up to the test server's."""
        ahead = (await self.env.get_current_time()) - self.admin.clock().now
        if ahead.total_seconds() > 1:
            self.admin.advance_clock(ahead.total_seconds())

    def current(self, workflow_id: str) -> WorkflowHandle[EnrollPlanWorkflow, PlanOutcome]:
        return self.env.client.get_workflow_handle_for(EnrollPlanWorkflow.run, workflow_id)

    async def view(self, workflow_id: str, seconds: float = 90) -> PlanView:
        """The plan query; after a worker was killed the server first tries the dead
        worker's sticky queue, so a query may time out until it hands the task on."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                return await self.current(workflow_id).query(EnrollPlanWorkflow.plan)
            except RPCError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def settled(self, workflow_id: str, seconds: float = SETTLE_SECONDS) -> bool:
        """Until the plan waits on a timer with nothing in flight (True) or has closed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            handle = self.current(workflow_id)
            if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                if not await self._runs_again(workflow_id):
                    return False
                continue
            if (
                _waits_on_timers_only(await handle.fetch_history())
                and await self._session_idle()
                and (await self.view(workflow_id)).progress.step in _BETWEEN_CHECKS
            ):
                return True
            await asyncio.sleep(0.2)
        raise AssertionError(f"plan {workflow_id} never settled on a timer")

    async def _session_idle(self) -> bool:
        try:
            described = await self.env.client.get_workflow_handle(
                self.session_workflow_id
            ).describe()
        except RPCError:
            return True  # not started
        return not described.raw_description.pending_activities

    async def _runs_again(self, workflow_id: str, seconds: float = 5) -> bool:
        """A run that just continued as new is followed by its next run a moment later."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            status = (await self.current(workflow_id).describe()).status
            if status == WorkflowExecutionStatus.RUNNING:
                return True
            if status != WorkflowExecutionStatus.CONTINUED_AS_NEW:
                return False
        return False

    async def to_next_check(self, workflow_id: str) -> bool:
        """Move both clocks to the plan's next look at the portal; False once it closed."""
        if not await self.settled(workflow_id):
            return False
        await self.skip_past_timer(workflow_id)
        return True

    async def skip_past_timer(self, workflow_id: str, seconds: float = 60) -> None:
        """Move both clocks past the plan's pending timer, and wait until it has fired (the
        server records it a moment after the skip)."""
        timer_id, fires_at = await self.pending_timer(workflow_id)
        now = await self.env.get_current_time()
        step = max(fires_at - now, timedelta(0)) + timedelta(seconds=1)
        self.admin.advance_clock(step.total_seconds())
        await self.env.sleep(step)
        deadline = time.monotonic() + seconds
        while timer_id in await self._pending_timers(workflow_id):
            assert time.monotonic() < deadline, f"the timer of {workflow_id} never fired"
            await asyncio.sleep(0.05)

    async def let_pass(self, seconds: float) -> None:
        """Move both clocks by ``seconds``. The test server's clock stands still between
        skips, so its own timeouts (a dead worker's sticky queue, a heartbeat) only pass
        when time is let pass."""
        self.admin.advance_clock(seconds)
        await self.env.sleep(seconds)

    async def pending_timer(self, workflow_id: str) -> tuple[int, datetime]:
        """The plan's pending timer and when it fires, read from its history rather than
        asked by query (a query waits on a worker, and a worker may just have been killed)."""
        pending = await self._pending_timers(workflow_id)
        assert pending, f"plan {workflow_id} waits on no timer"
        return min(pending.items(), key=lambda item: item[1])

    async def _pending_timers(self, workflow_id: str) -> dict[int, datetime]:
        history = await self.current(workflow_id).fetch_history()
        pending: dict[int, datetime] = {}
        for event in history.events:
            kind = event.WhichOneof("attributes")
            if kind == "timer_started_event_attributes":
                timeout = event.timer_started_event_attributes.start_to_fire_timeout
                pending[event.event_id] = event.event_time.ToDatetime(UTC) + timeout.ToTimedelta()
            elif kind in ("timer_fired_event_attributes", "timer_canceled_event_attributes"):
                pending.pop(getattr(event, kind).started_event_id, None)
        return pending

    async def follow_to_end(self, workflow_id: str, checks: int = 80) -> PlanOutcome:
        for _ in range(checks):
            if not await self.to_next_check(workflow_id):
                return await self.current(workflow_id).result()
        raise AssertionError(f"plan {workflow_id} still running after {checks} checks")

    async def activity_started(self, workflow_id: str, activity: str, seconds: float = 60) -> None:
        """Until an attempt of ``activity`` is running on a worker (history writes an
        attempt's start only once it ends, so this asks the server's pending activities)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            described = await self.current(workflow_id).describe()
            for pending in described.raw_description.pending_activities:
                if (
                    pending.activity_type.name == activity
                    and pending.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
                ):
                    return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{activity} never started on {workflow_id}")
