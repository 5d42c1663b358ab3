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
from datetime import timedelta

from temporalio.api.enums.v1 import PendingActivityState
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models.plan_enrollment import PlanOutcome, PlanView
from sandbox.admin_client import SandboxAdmin
from tests.workflows.harness import _waits_on_timers_only
from workflows.enroll_plan import EnrollPlanWorkflow

# Real browser steps (and the logins a month-long skip forces) on a shared machine.
SETTLE_SECONDS = 180.0


@dataclass
class PlanClock:
    env: WorkflowEnvironment
    admin: SandboxAdmin

    async def align(self) -> None:
        """Bring the sandbox's clock (reset per test) up to the test server's."""
        ahead = (await self.env.get_current_time()) - self.admin.clock().now
        if ahead.total_seconds() > 1:
            self.admin.advance_clock(ahead.total_seconds())

    def current(self, workflow_id: str) -> WorkflowHandle[EnrollPlanWorkflow, PlanOutcome]:
        return self.env.client.get_workflow_handle_for(EnrollPlanWorkflow.run, workflow_id)

    async def view(self, workflow_id: str) -> PlanView:
        return await self.current(workflow_id).query(EnrollPlanWorkflow.plan)

    async def settled(self, workflow_id: str, seconds: float = SETTLE_SECONDS) -> bool:
        """Until the plan waits on a timer with nothing in flight (True) or has closed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            handle = self.current(workflow_id)
            if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                # A continue-as-new's next run may not be visible yet; look again.
                await asyncio.sleep(0.2)
                if (await self.current(workflow_id).describe()).status != (
                    WorkflowExecutionStatus.RUNNING
                ):
                    return False
                continue
            if _waits_on_timers_only(await handle.fetch_history()):
                return True
            await asyncio.sleep(0.2)
        raise AssertionError(f"plan {workflow_id} never settled on a timer")

    async def to_next_check(self, workflow_id: str) -> bool:
        """Move both clocks to the plan's next look at the portal; False once it closed."""
        if not await self.settled(workflow_id):
            return False
        view = await self.view(workflow_id)
        assert view.next_check_at is not None, view
        now = await self.env.get_current_time()
        step = max(view.next_check_at - now, timedelta(0)) + timedelta(seconds=1)
        self.admin.advance_clock(step.total_seconds())
        await self.env.sleep(step)
        return True

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
