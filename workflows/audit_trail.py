"""Recording audit entries from a workflow: deterministic ids and times, written by activity."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.audit import AuditActivities
    from models.audit import Actor, AuditAction, AuditDetail, AuditRecord
    from workflows.policies import AUDIT_ACTIVITY


class AuditTrail:
    """The audit entries of one workflow run.

    Each entry's id is the run plus a counter, the same on replay and on every activity
    attempt, so the log writes it once whatever is retried.
    """

    def __init__(self) -> None:
        self._recorded = 0

    async def record(
        self, action: AuditAction, actor: Actor, outcome: str, **details: AuditDetail
    ) -> None:
        entry = self._entry(action, actor, outcome, details)
        await workflow.execute_activity_method(AuditActivities.record, entry, **AUDIT_ACTIVITY)

    async def record_in_process(
        self, action: AuditAction, actor: Actor, outcome: str, **details: AuditDetail
    ) -> None:
        """The same entry written by a local activity (workflows/policies.py, IN_PROCESS)."""
        entry = self._entry(action, actor, outcome, details)
        await workflow.execute_local_activity_method(
            AuditActivities.record, entry, **AUDIT_ACTIVITY
        )

    def _entry(
        self, action: AuditAction, actor: Actor, outcome: str, details: dict[str, AuditDetail]
    ) -> AuditRecord:
        self._recorded += 1
        info = workflow.info()
        return AuditRecord(
            entry_id=f"{info.workflow_id}/{info.run_id}/{self._recorded}:{action.value}",
            at=workflow.now(),
            actor=actor,
            action=action,
            workflow_id=info.workflow_id,
            run_id=info.run_id,
            outcome=outcome,
            details=details,
        )
