"""Asking a connection's session workflow for a signed-in session, from a business workflow.

Workflows cannot send Updates to other workflows, so this activity does it with the
Temporal client: update-with-start, so the first request also starts the session workflow.
The Update answers at once (a lease, or "you will be signalled"), so the activity never
holds a slot while a login or a person is awaited.
"""

from __future__ import annotations

from typing import Any

from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy

from models.connection_session import (
    ACQUIRE_UPDATE,
    SESSION_WORKFLOW,
    AcquireSession,
    ObtainSession,
    SessionGrant,
    session_start,
    session_workflow_id,
)
from models.errors import as_typed_error
from models.settings import Settings


class SessionBroker:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._client = client
        self._settings = settings

    @activity.defn
    async def obtain_session(self, request: ObtainSession) -> SessionGrant:
        start: WithStartWorkflowOperation[Any, None] = WithStartWorkflowOperation(
            SESSION_WORKFLOW,
            session_start(request.connection_id, self._settings),
            id=session_workflow_id(request.connection_id),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=activity.info().task_queue,
            static_summary=f"portal session for connection {request.connection_id}",
        )
        try:
            grant: SessionGrant = await self._client.execute_update_with_start_workflow(
                ACQUIRE_UPDATE,
                AcquireSession(
                    requester_workflow_id=request.requester_workflow_id,
                    stale_state_id=request.stale_state_id,
                    fail_fast=request.fail_fast,
                ),
                start_workflow_operation=start,
                result_type=SessionGrant,
            )
            return grant
        except WorkflowUpdateFailedError as err:
            typed = as_typed_error(err)
            if typed is None:
                raise
            raise typed from None
