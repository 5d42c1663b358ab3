"""Asking a payment's refund lock for its turn, from a refund workflow.

Workflows cannot send Updates to other workflows, so this activity does it with the
Temporal client (update-with-start: the first refund of a payment starts its lock). The
Update answers at once, held or queued, so no activity slot is held while an earlier
refund of the same payment runs; a queued requester is told by signal.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from models.refund_locks import (
    ACQUIRE_LOCK_UPDATE,
    REFUND_LOCK_WORKFLOW,
    AcquireRefundLock,
    RefundLockGrant,
    RefundLockInput,
    refund_lock_workflow_id,
)


class RefundLockBroker:
    def __init__(self, client: Client) -> None:
        self._client = client

    @activity.defn
    async def acquire_refund_lock(self, request: AcquireRefundLock) -> RefundLockGrant:
        start: WithStartWorkflowOperation[Any, None] = WithStartWorkflowOperation(
            REFUND_LOCK_WORKFLOW,
            RefundLockInput(
                connection_id=request.connection_id,
                confirmation_number=request.confirmation_number,
            ),
            id=refund_lock_workflow_id(request.connection_id, request.confirmation_number),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=activity.info().task_queue,
            static_summary=f"refunds of payment {request.confirmation_number}, one at a time",
        )
        grant: RefundLockGrant = await self._client.execute_update_with_start_workflow(
            ACQUIRE_LOCK_UPDATE,
            request,
            start_workflow_operation=start,
            result_type=RefundLockGrant,
        )
        return grant
