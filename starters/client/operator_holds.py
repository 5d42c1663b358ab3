"""Payments held for an operator after their portal changed: list them, retry or cancel.

Listed by visibility (running payment workflows) and each one's ``progress`` query: no
search attribute to register, and held payments are few; a query costs one round trip, and
up to ``QUERIES_AT_ONCE`` are in flight, so a statement day's thousands of running payments
are looked through in seconds rather than one after another.
"""

from __future__ import annotations

import asyncio

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
QUERIES_AT_ONCE = 32


async def held_payments(client: Client) -> list[HeldPayment]:
    """Held payments, in the order visibility lists them."""
    gate = asyncio.Semaphore(QUERIES_AT_ONCE)

    async def held(workflow_id: str) -> HeldPayment | None:
        async with gate:
            handle = client.get_workflow_handle_for(PostPaymentWorkflow.run, workflow_id)
            try:
                progress = await handle.query(PostPaymentWorkflow.progress)
            except RPCError as err:
                if err.status is RPCStatusCode.NOT_FOUND:
                    return None  # finished and gone since it was listed
                raise
        if progress.step is PaymentStep.AWAITING_OPERATOR and progress.hold is not None:
            return HeldPayment(workflow_id=workflow_id, hold=progress.hold)
        return None

    ids = [execution.id async for execution in client.list_workflows(RUNNING_PAYMENTS)]
    found = await asyncio.gather(*(held(workflow_id) for workflow_id in ids))
    return [payment for payment in found if payment is not None]


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
