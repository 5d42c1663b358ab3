"""One handle for every BillBridge process: idempotent start, progress query, typed result.

A process the client can start is an ``Operation``: its workflow's ``run`` and ``progress``
query by typed reference, its request model and its name. ``start_operation`` makes the
idempotency key the workflow id; starting again with the same key returns the same run, and
the same key with other parameters is an ``IdempotencyConflict`` (the first run's input is
read from its history, so this holds long after it finished).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.audit import Actor, unattributed
from models.errors import IdempotencyConflict, as_typed_error


class OperationRequest(Protocol):
    """What every operation's request model has: the caller's key and who asked."""

    idempotency_key: str
    requested_by: Actor

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self: ...


RequestT = TypeVar("RequestT", bound=OperationRequest)
ResultT = TypeVar("ResultT")
ProgressT = TypeVar("ProgressT")


@dataclass(frozen=True)
class Operation(Generic[RequestT, ResultT, ProgressT]):
    """A process the client starts and follows, named by its workflow's typed references."""

    name: str  # "payment": the workflow id's prefix and the noun in messages
    run: Callable[[Any, RequestT], Awaitable[ResultT]]  # e.g. PostPaymentWorkflow.run
    progress: Callable[[Any], ProgressT]  # e.g. PostPaymentWorkflow.progress
    request_type: type[RequestT]
    summary: Callable[[RequestT], str]  # the Temporal UI's one line (no patient data)
    # The request as its caller made it, from the current run's input: a process that
    # continues as new carries its state in its input (EnrollPlanRequest.as_requested).
    as_requested: Callable[[RequestT], RequestT] | None = None

    def workflow_id(self, idempotency_key: str) -> str:
        return f"{self.name}-{idempotency_key}"


class OperationHandle(Generic[ResultT, ProgressT]):
    """A started process: its id, its progress, and its result or typed error."""

    def __init__(
        self, handle: WorkflowHandle[Any, ResultT], progress: Callable[[Any], ProgressT]
    ) -> None:
        self._handle = handle
        self._progress = progress

    @property
    def workflow_id(self) -> str:
        return self._handle.id

    @property
    def temporal_handle(self) -> WorkflowHandle[Any, ResultT]:
        return self._handle

    async def progress(self) -> ProgressT:
        return await self._handle.query(self._progress)

    async def result(
        self, on_progress: Callable[[ProgressT], Awaitable[None] | None] | None = None
    ) -> ResultT:
        """Wait for the outcome; typed BillBridge errors are raised as themselves."""
        outcome = asyncio.ensure_future(self._handle.result())
        try:
            if on_progress is not None:
                await self._follow_progress(outcome, on_progress)
            return await outcome
        except WorkflowFailureError as err:
            typed = as_typed_error(err)
            if typed is None:
                raise
            raise typed from err
        finally:
            outcome.cancel()

    async def _follow_progress(
        self,
        outcome: asyncio.Future[ResultT],
        callback: Callable[[ProgressT], Awaitable[None] | None],
    ) -> None:
        seen: ProgressT | None = None
        while True:
            finished = outcome.done()  # read before querying, so the last step is always shown
            progress: ProgressT | None
            try:
                progress = await self.progress()
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


async def start_operation(
    client: Client,
    task_queue: str,
    operation: Operation[RequestT, ResultT, ProgressT],
    request: RequestT,
    *,
    actor: Actor,
) -> OperationHandle[ResultT, ProgressT]:
    """Start the operation, or return the run already started with the request's key.

    ``actor`` is recorded as who asked when the request does not say.
    """
    if request.requested_by == unattributed():
        request = request.model_copy(update={"requested_by": actor})
    workflow_id = operation.workflow_id(request.idempotency_key)
    try:
        handle = await client.start_workflow(
            operation.run,
            request,
            id=workflow_id,
            task_queue=task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            static_summary=operation.summary(request),
        )
    except WorkflowAlreadyStartedError:
        handle = client.get_workflow_handle_for(operation.run, workflow_id)
        first = await _started_with(client, handle, operation.request_type)
        if operation.as_requested is not None:
            first = operation.as_requested(first)
        # The same request asked for again by someone else is still the same request.
        if first.model_copy(update={"requested_by": request.requested_by}) != request:
            raise IdempotencyConflict(
                f"idempotency key '{request.idempotency_key}' was already used for a "
                f"different {operation.name}; use a new key for a new {operation.name}"
            ) from None
    return OperationHandle(handle, operation.progress)


async def _started_with(
    client: Client, handle: WorkflowHandle[Any, Any], request_type: type[RequestT]
) -> RequestT:
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [request] = await client.data_converter.decode(payloads, [request_type])
            assert isinstance(request, request_type)
            return request
    raise RuntimeError(f"workflow {handle.id} has no start event")
