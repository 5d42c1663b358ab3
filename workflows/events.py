"""Raising events from a workflow: deterministic ids and times, written by activity."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.events import EventActivities
    from models.audit import AuditDetail
    from models.events import Event, EventType
    from workflows.policies import AUDIT_ACTIVITY


class Events:
    """The events of one workflow run; ids are the run plus a counter (see AuditTrail).

    A workflow that continues as new starts a new run, so its ids stay unique.
    """

    def __init__(self) -> None:
        self._raised = 0

    async def raise_event(
        self, type: EventType, connection_id: str | None, **data: AuditDetail
    ) -> None:
        # Like an audit entry: never given up on, and written once whatever is retried.
        event = self._event(type, connection_id, data)
        await workflow.execute_activity_method(EventActivities.raise_event, event, **AUDIT_ACTIVITY)

    async def raise_event_in_process(
        self, type: EventType, connection_id: str | None, **data: AuditDetail
    ) -> None:
        """The same event raised by a local activity (workflows/policies.py, IN_PROCESS)."""
        event = self._event(type, connection_id, data)
        await workflow.execute_local_activity_method(
            EventActivities.raise_event, event, **AUDIT_ACTIVITY
        )

    def _event(
        self, type: EventType, connection_id: str | None, data: dict[str, AuditDetail]
    ) -> Event:
        self._raised += 1
        info = workflow.info()
        return Event(
            id=f"evt/{info.workflow_id}/{info.run_id}/{self._raised}",
            type=type,
            occurred_at=workflow.now(),
            workflow_id=info.workflow_id,
            connection_id=connection_id,
            data=data,
        )
