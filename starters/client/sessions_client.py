"""The typed client's side of connection sessions: see, answer and repair logins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from models.audit import Actor
from models.card_numbers import refuse_card_number
from models.connection_session import (
    CredentialsReplacement,
    MfaCodeSubmission,
    MfaSubmissionResult,
    OpenSession,
    SessionView,
    SessionWorkflowInput,
    session_workflow_id,
)
from models.errors import InvalidInput, as_typed_error
from starters.client.actors import operator_actor
from workflows.connection_session import (
    AWAITING_MFA_ATTRIBUTE,
    ConnectionSessionWorkflow,
)

R = TypeVar("R")


class SessionsClient:
    def __init__(self, client: Client, actor: Actor | None = None) -> None:
        self._client = client
        # Recorded in the audit trail with every code and password change sent from here.
        self._actor = actor or operator_actor()

    def _handle(self, connection_id: str) -> WorkflowHandle[ConnectionSessionWorkflow, None]:
        # The connection id becomes a workflow id, which Temporal keeps in plain text.
        refuse_card_number(connection_id, "connection_id")
        return self._client.get_workflow_handle_for(
            ConnectionSessionWorkflow.run, session_workflow_id(connection_id)
        )

    async def state(self, connection_id: str) -> SessionView:
        return await self._handle(connection_id).query(ConnectionSessionWorkflow.state)

    async def state_if_started(self, connection_id: str) -> SessionView | None:
        """The session's state; None while no session workflow has started (or answered)
        for the connection yet, as just after a first payment was started on it."""
        try:
            return await self.state(connection_id)
        except RPCError:  # not found yet, or its first workflow task has not run
            return None

    async def pending_mfa(self) -> list[SessionView]:
        """Connections whose login waits for a person's code, found by search attribute."""
        query = f'{AWAITING_MFA_ATTRIBUTE.name} = true AND ExecutionStatus = "Running"'
        views = []
        async for execution in self._client.list_workflows(query):
            handle = self._client.get_workflow_handle_for(
                ConnectionSessionWorkflow.run, execution.id
            )
            view = await handle.query(ConnectionSessionWorkflow.state)
            if view.challenge is not None:
                views.append(view)
        return views

    async def open_session(self, start: SessionWorkflowInput, task_queue: str) -> SessionView:
        """Sign the connection in unless it is (or is being) signed in, starting its session
        workflow if it has none (update-with-start); answers at once with the state, whose
        ``signing_in`` a caller follows with ``state`` until the login ends either way."""
        refuse_card_number(start.connection_id, "connection_id")
        operation: WithStartWorkflowOperation[ConnectionSessionWorkflow, None] = (
            WithStartWorkflowOperation(
                ConnectionSessionWorkflow.run,
                start,
                id=session_workflow_id(start.connection_id),
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                task_queue=task_queue,
                static_summary=f"portal session for connection {start.connection_id}",
            )
        )
        try:
            return await self._client.execute_update_with_start_workflow(
                ConnectionSessionWorkflow.open_session,
                OpenSession(requested_by=self._actor),
                start_workflow_operation=operation,
            )
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from None

    async def submit_mfa_code(self, connection_id: str, code: str) -> MfaSubmissionResult:
        """True if the portal accepted the code; a malformed code is refused before it."""
        refuse_card_number(code, "code")
        return await self._update(
            connection_id,
            lambda handle: handle.execute_update(
                ConnectionSessionWorkflow.submit_mfa_code,
                MfaCodeSubmission(code=code, requested_by=self._actor),
            ),
        )

    async def resend_mfa_code(self, connection_id: str) -> SessionView:
        await self._update(
            connection_id,
            lambda handle: handle.execute_update(ConnectionSessionWorkflow.resend_mfa_code),
        )
        return await self.state(connection_id)

    async def credentials_replaced(self, connection_id: str) -> SessionView:
        return await self._update(
            connection_id,
            lambda handle: handle.execute_update(
                ConnectionSessionWorkflow.credentials_replaced,
                CredentialsReplacement(requested_by=self._actor),
            ),
        )

    async def _update(
        self,
        connection_id: str,
        send: Callable[[WorkflowHandle[ConnectionSessionWorkflow, None]], Awaitable[R]],
    ) -> R:
        try:
            return await send(self._handle(connection_id))
        except WorkflowUpdateFailedError as err:
            raise _refusal(err) from None
        except RPCError as err:
            raise InvalidInput(
                f"no session for connection '{connection_id}' is running ({err.message})"
            ) from None


def _refusal(err: WorkflowUpdateFailedError) -> Exception:
    """A failed Update as the BillBridge error it carries; a validator's refusal (malformed
    code, nothing pending) as InvalidInput with the validator's words."""
    typed = as_typed_error(err)
    if typed is not None:
        return typed
    cause = err.cause
    return InvalidInput(getattr(cause, "message", str(cause)))
