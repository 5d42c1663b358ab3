"""A plan workflow test's world: the time-skipping server, a worker with the fake portal and
fake plan portal, and a way to let months pass a draft check at a time."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models.connection_session import session_workflow_id
from models.plan_enrollment import EnrollPlanRequest, PlanOutcome, PlanView
from tests.workflows.fake_plans import FakePlanPortal
from tests.workflows.fake_portal import FakePortal
from tests.workflows.harness import STATE_DEADLINE_SECONDS, _waits_on_timers_only
from workflows.enroll_plan import EnrollPlanWorkflow

PlanHandle = WorkflowHandle[EnrollPlanWorkflow, PlanOutcome]


@dataclass
class PlanHarness:
    env: WorkflowEnvironment
    task_queue: str
    connection_id: str
    portal: FakePortal
    plans: FakePlanPortal
    _started: list[str] = field(default_factory=list)

    def request(self, **changes: Any) -> EnrollPlanRequest:
        fields: dict[str, Any] = {
            "connection_id": self.connection_id,
            "statement_id": "ST-1001",
            "installment_amount_cents": 10_000,
            "payment_method_token": "tok_visa_4242",
            "idempotency_key": uuid.uuid4().hex,
        }
        return EnrollPlanRequest(**(fields | changes))

    async def start(self, **changes: Any) -> PlanHandle:
        request = self.request(**changes)
        handle = await self.env.client.start_workflow(
            EnrollPlanWorkflow.run,
            request,
            id=f"plan-{request.idempotency_key}",
            task_queue=self.task_queue,
        )
        self._started.append(handle.id)
        return handle

    def latest(self, handle: PlanHandle) -> PlanHandle:
        """The workflow's current run (a started handle stays on its first run)."""
        return self.env.client.get_workflow_handle_for(EnrollPlanWorkflow.run, handle.id)

    async def view(self, handle: PlanHandle) -> PlanView:
        return await self.latest(handle).query(EnrollPlanWorkflow.plan)

    async def runs(self, handle: PlanHandle) -> int:
        """How many runs the plan has had (1 + its continues-as-new)."""
        described = await self.latest(handle).describe()
        runs, run_id = 0, described.run_id
        while run_id:
            history = await self.env.client.get_workflow_handle(
                handle.id, run_id=run_id
            ).fetch_history()
            runs += 1
            started = history.events[0].workflow_execution_started_event_attributes
            run_id = started.continued_execution_run_id
        return runs

    async def settled(self, handle: PlanHandle) -> bool:
        """Until the plan waits on a timer with nothing in flight (True) or has closed."""
        # Longer than the harness's: a plan's run continues as new every installment.
        deadline = time.monotonic() + 4 * STATE_DEADLINE_SECONDS
        current = self.latest(handle)
        while time.monotonic() < deadline:
            if (await current.describe()).status != WorkflowExecutionStatus.RUNNING:
                current = self.latest(handle)  # continued as new, or closed
                if (await current.describe()).status != WorkflowExecutionStatus.RUNNING:
                    return False
            if _waits_on_timers_only(await current.fetch_history()):
                return True
            await asyncio.sleep(0.05)
        raise AssertionError(f"plan {handle.id} never settled on a timer")

    async def next_check(self, handle: PlanHandle) -> bool:
        """Skip to the plan's next look at the portal; False once the plan has closed."""
        deadline = time.monotonic() + 4 * STATE_DEADLINE_SECONDS
        while True:
            if not await self.settled(handle):
                return False
            view = await self.view(handle)
            if view.next_check_at is not None:
                break
            # Settled on the session reply's recheck timer, not on a draft's: the session
            # workflow's answer is on its way, so look again rather than skip time now.
            assert time.monotonic() < deadline, view
            await asyncio.sleep(0.05)
        now = await self.env.get_current_time()
        await self.env.sleep(max(view.next_check_at - now, timedelta(0)) + timedelta(seconds=1))
        return True

    async def follow_to_end(self, handle: PlanHandle, checks: int = 200) -> PlanOutcome:
        for _ in range(checks):
            if not await self.next_check(handle):
                return await handle.result()
        raise AssertionError(f"plan {handle.id} still running after {checks} checks")

    async def terminate_all(self) -> None:
        for workflow_id in [*self._started, session_workflow_id(self.connection_id)]:
            with contextlib.suppress(RPCError):
                await self.env.client.get_workflow_handle(workflow_id).terminate("test over")
