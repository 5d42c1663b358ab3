"""A workflow that raises given events through the worker's real event activity, on that
worker's task queue (kept apart from the test module, so the workflow sandbox imports only
this). Running it twice with the same events is a retried activity, as Temporal makes one."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.events import EventActivities
    from models.events import Event
    from workflows.policies import AUDIT_ACTIVITY


class RaiseEvents(BaseModel):
    events: list[Event]
    # The real worker's queue: the activity (and the deliveries it starts) run there.
    task_queue: str


@workflow.defn(name="E2eRaiseEvents")
class RaiseEventsWorkflow:
    @workflow.run
    async def run(self, request: RaiseEvents) -> int:
        written = 0
        for event in request.events:
            if await workflow.execute_activity_method(
                EventActivities.raise_event, event, task_queue=request.task_queue, **AUDIT_ACTIVITY
            ):
                written += 1
        return written
