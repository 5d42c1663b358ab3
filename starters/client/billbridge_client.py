"""The typed Python client: start and follow BillBridge workflows from other services.

Each process is one ``Operation`` (below) and one ``start_…`` method; they all share the
generic ``OperationHandle`` (starters/client/operations.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle

from models.audit import Actor
from models.canary import CanaryResult
from models.deposits import DepositProgress, EstimateDepositRequest, EstimateDepositResult
from models.operator_hold import HeldPayment, OperatorAction, OperatorDecisionAccepted
from models.payments import PaymentProgress, PostPaymentRequest, PostPaymentResult
from models.plan_enrollment import EnrollPlanRequest, PlanOutcome, PlanProgress
from models.reconciliation import ReconcileProgress, ReconcileRequest, ReconcileResult
from models.refunds import RefundProgress, RefundRequest, RefundResult
from models.settings import Settings
from starters.client import canary, operator_holds, reconciliation
from starters.client.actors import operator_actor
from starters.client.operations import (
    Operation,
    OperationHandle,
    ProgressT,
    RequestT,
    ResultT,
    start_operation,
)
from starters.client.plan_handle import PlanHandle
from workers.temporal_client import connect
from workflows.canary import ConnectionCanaryWorkflow
from workflows.enroll_plan import EnrollPlanWorkflow
from workflows.estimate_to_deposit import EstimateToDepositWorkflow
from workflows.post_payment import PostPaymentWorkflow
from workflows.refund_payment import RefundPaymentWorkflow

PAYMENT: Operation[PostPaymentRequest, PostPaymentResult, PaymentProgress] = Operation(
    name="payment",
    run=PostPaymentWorkflow.run,
    progress=PostPaymentWorkflow.progress,
    request_type=PostPaymentRequest,
    summary=lambda request: f"post payment on connection {request.connection_id}",
)

DEPOSIT: Operation[EstimateDepositRequest, EstimateDepositResult, DepositProgress] = Operation(
    name="deposit",
    run=EstimateToDepositWorkflow.run,
    progress=EstimateToDepositWorkflow.progress,
    request_type=EstimateDepositRequest,
    summary=lambda request: f"estimate deposit on connection {request.connection_id}",
)

REFUND: Operation[RefundRequest, RefundResult, RefundProgress] = Operation(
    name="refund",
    run=RefundPaymentWorkflow.run,
    progress=RefundPaymentWorkflow.progress,
    request_type=RefundRequest,
    summary=lambda request: (
        f"refund of payment {request.confirmation_number} on connection {request.connection_id}"
    ),
)

PLAN: Operation[EnrollPlanRequest, PlanOutcome, PlanProgress] = Operation(
    name="plan",
    run=EnrollPlanWorkflow.run,
    progress=EnrollPlanWorkflow.progress,
    request_type=EnrollPlanRequest,
    summary=lambda request: f"payment plan on connection {request.connection_id}",
    as_requested=EnrollPlanRequest.as_requested,
)

ProgressCallback = Callable[[PaymentProgress], Awaitable[None] | None]


def payment_workflow_id(idempotency_key: str) -> str:
    return PAYMENT.workflow_id(idempotency_key)


class PaymentHandle(OperationHandle[PostPaymentResult, PaymentProgress]):
    """The generic handle bound to the payment workflow, for a Temporal handle in hand."""

    def __init__(self, handle: WorkflowHandle[Any, PostPaymentResult]) -> None:
        super().__init__(handle, PAYMENT.progress)


class BillBridgeClient:
    def __init__(self, client: Client, task_queue: str, actor: Actor | None = None) -> None:
        self._client = client
        self._task_queue = task_queue
        # Who the audit trail names for requests that do not say (the operator by default).
        self._actor = actor or operator_actor()

    @classmethod
    async def connect(cls, settings: Settings) -> BillBridgeClient:
        return cls(await connect(settings), settings.task_queue, operator_actor(settings.operator))

    @property
    def temporal(self) -> Client:
        return self._client

    @property
    def task_queue(self) -> str:
        return self._task_queue

    async def start_operation(
        self, operation: Operation[RequestT, ResultT, ProgressT], request: RequestT
    ) -> OperationHandle[ResultT, ProgressT]:
        """Start any process, or return the one already started with the request's key."""
        return await start_operation(
            self._client, self._task_queue, operation, request, actor=self._actor
        )

    async def start_payment(
        self, request: PostPaymentRequest
    ) -> OperationHandle[PostPaymentResult, PaymentProgress]:
        """Start posting a payment, or return the one already started with this key.

        The idempotency key is the workflow id; reusing it with other parameters is an
        IdempotencyConflict, whether the first run is still going or long finished.
        """
        request.validate_for_posting()
        return await self.start_operation(PAYMENT, request)

    async def pay(
        self, request: PostPaymentRequest, on_progress: ProgressCallback | None = None
    ) -> PostPaymentResult:
        handle = await self.start_payment(request)
        return await handle.result(on_progress)

    async def held_payments(self) -> list[HeldPayment]:
        """Payments waiting for an operator because their portal changed."""
        return await operator_holds.held_payments(self._client)

    async def retry_payment(
        self, workflow_id: str, reason: str | None = None
    ) -> OperatorDecisionAccepted:
        """Run a held payment again from its session step (reconciled by reference first,
        so it cannot pay twice)."""
        return await operator_holds.decide(
            self._client, workflow_id, OperatorAction.RETRY, self._actor, reason
        )

    async def cancel_payment(
        self, workflow_id: str, reason: str | None = None
    ) -> OperatorDecisionAccepted:
        """Fail a held payment as PaymentCancelled; nothing was posted."""
        return await operator_holds.decide(
            self._client, workflow_id, OperatorAction.CANCEL, self._actor, reason
        )

    async def start_reconciliation(
        self, request: ReconcileRequest
    ) -> OperationHandle[ReconcileResult, ReconcileProgress]:
        """Reconcile the connection's settlement export now (or return the run started with
        this key)."""
        request.validate_for_reconciling()
        return await self.start_operation(reconciliation.RECONCILIATION, request)

    async def schedule_reconciliation(self, connection_id: str, at: time) -> tuple[str, bool]:
        """Create or update the connection's daily reconciliation at ``at`` (UTC): the
        schedule id and whether it was created."""
        handle, created = await reconciliation.create_or_update_schedule(
            self._client, connection_id, at, self._task_queue, self._actor
        )
        return handle.id, created

    async def latest_reconciliation(self, connection_id: str) -> ReconcileResult | None:
        return await reconciliation.latest_result(self._client, connection_id)

    async def start_canary(
        self, connection_id: str
    ) -> WorkflowHandle[ConnectionCanaryWorkflow, CanaryResult]:
        """Walk the connection's portal read-only now (``docs/canary.md``)."""
        return await canary.start_once(self._client, connection_id, self._task_queue)

    async def run_canary(self, connection_id: str) -> CanaryResult:
        """The walk's verdict: ok, or drift with its step, message and screenshot key."""
        return await (await self.start_canary(connection_id)).result()

    async def schedule_canary(self, connection_id: str, every: timedelta) -> tuple[str, bool]:
        """Create or update the connection's canary Schedule: its id and whether it was
        created."""
        handle, created = await canary.create_or_update_schedule(
            self._client, connection_id, every, self._task_queue
        )
        return handle.id, created

    async def unschedule_canary(self, connection_id: str) -> None:
        await canary.delete_schedule(self._client, connection_id)

    async def start_deposit(
        self, request: EstimateDepositRequest
    ) -> OperationHandle[EstimateDepositResult, DepositProgress]:
        """Start collecting an estimate's deposit and following it until it is applied, or
        return the one already started with this key."""
        request.validate_for_deposit()
        return await self.start_operation(DEPOSIT, request)

    async def start_refund(
        self, request: RefundRequest
    ) -> OperationHandle[RefundResult, RefundProgress]:
        """Start a void or refund of a posted payment, or return the one already started
        with this key (the same idempotency rules as a payment)."""
        request.validate_for_refund()
        return await self.start_operation(REFUND, request)

    async def start_plan(self, request: EnrollPlanRequest) -> PlanHandle:
        """Enroll a payment plan and follow it, or return the plan started with this key."""
        request.validate_for_enrollment()
        started = await self.start_operation(PLAN, request)
        return PlanHandle(self._client, started.temporal_handle, self._actor)

    def plan(self, idempotency_key: str) -> PlanHandle:
        """The plan enrolled with this idempotency key (its Updates and queries)."""
        handle = self._client.get_workflow_handle_for(
            EnrollPlanWorkflow.run, PLAN.workflow_id(idempotency_key)
        )
        return PlanHandle(self._client, handle, self._actor)
