"""Payments held for an operator after their portal changed: list them, retry or cancel.

Listed by visibility (running payment workflows) and each one's ``progress`` query: no
search attribute to register, and held payments are few; a query costs one round trip.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from models.audit import Actor
from models.card_numbers import refuse_card_numbers_in
from models.errors import NotAwaitingOperator, as_typed_error
from models.operator_hold import (
    HeldPayment,
    OperatorAction,
    OperatorDecision,
    OperatorDecisionAccepted,
)
from models.payments import PaymentStep
from workflows.post_payment import PostPaymentWorkflow

RUNNING_PAYMENTS = 'WorkflowType = "PostPaymentWorkflow" AND ExecutionStatus = "Running"'


async def held_payments(client: Client) -> list[HeldPayment]:
    held = []
    async for execution in client.list_workflows(RUNNING_PAYMENTS):
        handle = client.get_workflow_handle_for(PostPaymentWorkflow.run, execution.id)
        progress = await handle.query(PostPaymentWorkflow.progress)
        if progress.step is PaymentStep.AWAITING_OPERATOR and progress.hold is not None:
            held.append(HeldPayment(workflow_id=execution.id, hold=progress.hold))
    return held


async def decide(
    client: Client,
    workflow_id: str,
    action: OperatorAction,
    actor: Actor,
    reason: str | None = None,
) -> OperatorDecisionAccepted:
    """Send the decision; NotAwaitingOperator (typed) when the payment is not held."""
    decision = OperatorDecision(action=action, decided_by=actor, reason=reason)
    refuse_card_numbers_in(decision, "decision")
    handle = client.get_workflow_handle_for(PostPaymentWorkflow.run, workflow_id)
    try:
        return await handle.execute_update(PostPaymentWorkflow.operator_decision, decision)
    except WorkflowUpdateFailedError as err:
        typed = as_typed_error(err)
        if typed is None:
            raise
        raise typed from err
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        raise NotAwaitingOperator(f"no running payment workflow {workflow_id}") from None
