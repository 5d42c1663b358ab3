"""What a workflow test holds: the environment, its task queue and connection, the fake portal."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from models.connection_session import SessionView, session_workflow_id
from models.payments import PostPaymentRequest, PostPaymentResult
from tests.workflows.fake_portal import FakePortal
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.post_payment import PostPaymentWorkflow

# Wall-clock bound on waiting for a workflow to reach a state; reached in milliseconds.
STATE_DEADLINE_SECONDS = 15.0
# A query is answered in milliseconds; one lost to a closing run would hold the whole deadline.
QUERY_RPC_TIMEOUT = timedelta(seconds=2)


@dataclass
class Harness:
    env: WorkflowEnvironment
    task_queue: str
    connection_id: str
    portal: FakePortal
    mfa_timeout_seconds: int
    _started: list[str] = field(default_factory=list)

    @property
    def client(self) -> Client:
        return self.env.client

    def payment_request(self, **changes: Any) -> PostPaymentRequest:
        fields: dict[str, Any] = {
            "connection_id": self.connection_id,
            "statement_id": "ST-1001",
            "amount_cents": 4_500,
            "payment_method_token": "tok_visa_4242",
            "idempotency_key": uuid.uuid4().hex,
        }
        return PostPaymentRequest(**(fields | changes))

    async def start_payment(
        self, request: PostPaymentRequest | None = None, **changes: Any
    ) -> WorkflowHandle[PostPaymentWorkflow, PostPaymentResult]:
        request = request or self.payment_request(**changes)
        handle = await self.client.start_workflow(
            PostPaymentWorkflow.run,
            request,
            id=f"payment-{request.idempotency_key}",
            task_queue=self.task_queue,
        )
        self._started.append(handle.id)
        return handle

    def session(self) -> WorkflowHandle[ConnectionSessionWorkflow, None]:
        """The connection's session workflow, whichever run is current."""
        return self.client.get_workflow_handle_for(
            ConnectionSessionWorkflow.run, session_workflow_id(self.connection_id)
        )

    async def session_state(self, until: Callable[[SessionView], bool]) -> SessionView:
        """The session's state once ``until`` holds (the workflow may not exist yet)."""
        deadline = time.monotonic() + STATE_DEADLINE_SECONDS
        last: SessionView | None = None
        while time.monotonic() < deadline:
            try:
                last = await self.session().query(
                    ConnectionSessionWorkflow.state, rpc_timeout=QUERY_RPC_TIMEOUT
                )
            except RPCError:
                # Not started yet; or, on the test server, a query dispatched to a run that
                # was just continuing as new, which no worker answers: ask the current run.
                last = None
            if last is not None and until(last):
                return last
            await asyncio.sleep(0.05)
        raise AssertionError(f"session never reached the expected state; last seen: {last}")

    async def waiting_on_timers(self, *handles: WorkflowHandle[Any, Any]) -> None:
        """Until each workflow waits on a timer with no task or activity in flight.

        Only then may a test skip time. The test server skips to the next timer whenever
        nothing is queued, also while a worker is mid-task, where it would fire a
        workflow-task or activity timeout that never happens for real.
        """
        deadline = time.monotonic() + STATE_DEADLINE_SECONDS
        busy = list(handles)
        while busy:
            assert time.monotonic() < deadline, f"still busy: {[h.id for h in busy]}"
            busy = [h for h in busy if not _waits_on_timers_only(await h.fetch_history())]
            if busy:
                await asyncio.sleep(0.05)

    async def session_runs(self) -> int:
        """How many runs the session workflow has had (1 + its continues-as-new)."""
        runs = 0
        run_id: str | None = None
        workflow_id = session_workflow_id(self.connection_id)
        while True:
            run = self.client.get_workflow_handle(workflow_id, run_id=run_id)
            history = await run.fetch_history()
            runs += 1
            started = history.events[0].workflow_execution_started_event_attributes
            if not started.continued_execution_run_id:
                return runs
            run_id = started.continued_execution_run_id

    async def terminate_all(self) -> None:
        for workflow_id in [*self._started, session_workflow_id(self.connection_id)]:
            # Finished already, or never started: nothing to stop.
            with contextlib.suppress(RPCError):
                await self.client.get_workflow_handle(workflow_id).terminate("test over")


_ACTIVITY_CLOSED = (
    "activity_task_completed_event_attributes",
    "activity_task_failed_event_attributes",
    "activity_task_timed_out_event_attributes",
    "activity_task_canceled_event_attributes",
)
_TIMER_CLOSED = ("timer_fired_event_attributes", "timer_canceled_event_attributes")
_TASK_OPEN = ("workflow_task_scheduled_event_attributes", "workflow_task_started_event_attributes")


def _waits_on_timers_only(history: WorkflowHistory) -> bool:
    """A timer pending; no activity pending, no workflow task open. (The last event alone
    does not tell: the test server may record an empty workflow task for a query.)"""
    timers: set[int] = set()
    activities: set[int] = set()
    task_open = False
    for event in history.events:
        kind = event.WhichOneof("attributes")
        if kind == "timer_started_event_attributes":
            timers.add(event.event_id)
        elif kind in _TIMER_CLOSED:
            timers.discard(getattr(event, kind).started_event_id)
        elif kind == "activity_task_scheduled_event_attributes":
            activities.add(event.event_id)
        elif kind in _ACTIVITY_CLOSED:
            activities.discard(getattr(event, kind).scheduled_event_id)
        task_open = kind in _TASK_OPEN
    return bool(timers) and not activities and not task_open
