"""The typed Python client: start and follow BillBridge workflows from other services."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.audit import Actor, unattributed
from models.errors import IdempotencyConflict, as_typed_error
from models.payments import PaymentProgress, PostPaymentRequest, PostPaymentResult
from models.settings import Settings
from starters.client.actors import operator_actor
from workers.temporal_client import connect
from workflows.post_payment import PostPaymentWorkflow

ProgressCallback = Callable[[PaymentProgress], Awaitable[None] | None]


def payment_workflow_id(idempotency_key: str) -> str:
    return f"payment-{idempotency_key}"


class PaymentHandle:
    def __init__(self, handle: WorkflowHandle[PostPaymentWorkflow, PostPaymentResult]) -> None:
        self._handle = handle

    @property
    def workflow_id(self) -> str:
        return self._handle.id

    @property
    def temporal_handle(self) -> WorkflowHandle[PostPaymentWorkflow, PostPaymentResult]:
        return self._handle

    async def progress(self) -> PaymentProgress:
        return await self._handle.query(PostPaymentWorkflow.progress)

    async def result(self, on_progress: ProgressCallback | None = None) -> PostPaymentResult:
        """Wait for the outcome; typed BillBridge errors are raised as themselves."""
        outcome = asyncio.ensure_future(self._handle.result())
        try:
            if on_progress is not None:
                await _follow_progress(self, outcome, on_progress)
            return await outcome
        except WorkflowFailureError as err:
            typed = as_typed_error(err)
            if typed is None:
                raise
            raise typed from err
        finally:
            outcome.cancel()


async def _follow_progress(
    handle: PaymentHandle, outcome: asyncio.Future[PostPaymentResult], callback: ProgressCallback
) -> None:
    seen: PaymentProgress | None = None
    while True:
        finished = outcome.done()  # read before querying, so the last step is always shown
        progress: PaymentProgress | None
        try:
            progress = await handle.progress()
        except Exception:  # no worker yet, or the workflow just closed: try again shortly
            progress = seen
        if progress is not None and progress != seen:
            seen = progress
            shown = callback(progress)
            if shown is not None:
                await shown
        if finished:
            return
        await asyncio.wait({outcome}, timeout=0.3)


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

    async def start_payment(self, request: PostPaymentRequest) -> PaymentHandle:
        """Start posting a payment, or return the one already started with this key.

        The idempotency key is the workflow id; reusing it with other parameters is an
        IdempotencyConflict, whether the first run is still going or long finished.
        """
        request.validate_for_posting()
        if request.requested_by == unattributed():
            request = request.model_copy(update={"requested_by": self._actor})
        workflow_id = payment_workflow_id(request.idempotency_key)
        try:
            handle = await self._client.start_workflow(
                PostPaymentWorkflow.run,
                request,
                id=workflow_id,
                task_queue=self._task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                static_summary=f"post payment on connection {request.connection_id}",
            )
        except WorkflowAlreadyStartedError:
            handle = self._client.get_workflow_handle_for(PostPaymentWorkflow.run, workflow_id)
            first = await self._started_with(handle)
            # The same payment asked for again by someone else is still the same payment.
            if first.model_copy(update={"requested_by": request.requested_by}) != request:
                raise IdempotencyConflict(
                    f"idempotency key '{request.idempotency_key}' was already used for a "
                    "different payment; use a new key for a new payment"
                ) from None
        return PaymentHandle(handle)

    async def pay(
        self, request: PostPaymentRequest, on_progress: ProgressCallback | None = None
    ) -> PostPaymentResult:
        handle = await self.start_payment(request)
        return await handle.result(on_progress)

    async def _started_with(
        self, handle: WorkflowHandle[PostPaymentWorkflow, PostPaymentResult]
    ) -> PostPaymentRequest:
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                payloads = event.workflow_execution_started_event_attributes.input.payloads
                [request] = await self._client.data_converter.decode(payloads, [PostPaymentRequest])
                assert isinstance(request, PostPaymentRequest)
                return request
        raise RuntimeError(f"workflow {handle.id} has no start event")
