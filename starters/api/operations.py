"""Money-moving POSTs as durable operations, with the IETF httpapi ``Idempotency-Key``.

Every money-moving endpoint (``/payments``, ``/refunds``, ``/payment-plans``,
``/deposits``) is one ``MoneyMovingEndpoint`` and calls ``accept``:

1. the key is required; the body's fingerprint is the SHA-256 of the canonical JSON of the
   endpoint and the validated body (defaults filled in, so an omitted default and the
   default sent are one request);
2. the connection must be the caller's tenant's (404 otherwise), the request must pass its
   process's own checks (422) — nothing is stored for a refused request;
3. the key is claimed in the read model, insert first (``stores/read_model/
   idempotency_keys.py``): a new key starts the workflow, whose id holds the tenant and the
   key (``payment-<tenant>.<key>``), so two tenants' equal keys never meet; the same key
   and body answers with the same operation, whatever became of it; another body is
   ``422 idempotency_conflict``; a request arriving while the first is still being
   accepted waits a moment for it, then is ``409 idempotency_in_progress``;
4. the answer is ``202`` with the operation and ``Location``, unless ``Prefer: wait=N``
   (at most ``MAX_WAIT_SECONDS``) asks to wait: then the finished operation is ``200``.

An operation's status is read from its workflow at request time (Temporal, bounded).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Generic, Protocol, TypeVar

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from models.api_keys import ApiKeyPublic
from models.errors import ERROR_TYPES, as_typed_error
from models.identifiers import refuse_personal_data_in_id
from models.operations import (
    IdempotencyState,
    OperationError,
    OperationKind,
    OperationLinks,
    OperationPublic,
    OperationRecord,
    OperationStatus,
)
from models.pages import PageRequest
from security.redaction import redactor
from starters.api.error_codes import status_and_code
from starters.api.problems import ApiProblem
from starters.api.services import ApiServices
from starters.client.operations import Operation, OperationRequest, start_operation
from stores.read_model.idempotency_keys import IdempotencyKeyInUse, OperationNotFound
from stores.read_model.tenant_connections import TenantConnectionNotFound
from workers.temporal_unreachable import TemporalUnreachable

IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY_LENGTH = 128  # with the tenant (≤ 63) and a dot, within a workflow id key's 200
MAX_WAIT_SECONDS = 60
# A request meeting another one with its key still being accepted polls for it this often,
# up to Settings.api_idempotency_wait_seconds: starting a workflow takes milliseconds, so
# concurrent retries usually all get the operation rather than a 409.
_IN_PROGRESS_POLL_SECONDS = 0.05
_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*\"?(\d{1,6})\"?(?:$|[,;\s])", re.IGNORECASE)


class Described(Protocol):
    def describe(self) -> str: ...


BodyT = TypeVar("BodyT", bound=BaseModel)
RequestT = TypeVar("RequestT", bound=OperationRequest)
ResultT = TypeVar("ResultT")
ProgressT = TypeVar("ProgressT", bound=Described)


@dataclass(frozen=True)
class Outcome(Generic[ResultT]):
    """What became of an operation's workflow, as read now."""

    status: OperationStatus
    result: ResultT | None = None
    error: OperationError | None = None
    progress: str | None = None


@dataclass(frozen=True)
class MoneyMovingEndpoint(Generic[BodyT, RequestT, ResultT, ProgressT]):
    kind: OperationKind
    path: str  # "/payments": the fingerprint's endpoint, and where its objects are read
    operation: Operation[RequestT, ResultT, ProgressT]
    validate: Callable[[RequestT], None]  # the request's own checks (validate_for_posting)
    # The operation's ``result`` and the link to the object it made, once it succeeded or
    # failed (a failed payment still has its row in GET /payments).
    present: Callable[
        [ApiServices, OperationRecord, Outcome[ResultT]],
        Awaitable[tuple[dict[str, Any] | None, str | None]],
    ]

    def request(self, body: BodyT, workflow_key: str, caller: ApiKeyPublic) -> RequestT:
        fields = body.model_dump() | {
            "idempotency_key": workflow_key,
            "requested_by": caller.actor(),
        }
        # Every request type is a pydantic model (the Protocol only names what is shared).
        request: RequestT = self.operation.request_type.model_validate(fields)  # type: ignore[attr-defined]
        return request


def fingerprint(path: str, body: BaseModel) -> str:
    canonical = json.dumps(
        {"endpoint": f"POST {path}", "body": body.model_dump(mode="json")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def workflow_key(tenant_id: str, idempotency_key: str) -> str:
    """The key the workflow id is made of: tenants are lower-case slugs without dots, so
    the first dot separates the tenant from the caller's key."""
    return f"{tenant_id}.{idempotency_key}"


def checked_key(idempotency_key: str | None, path: str) -> str:
    if idempotency_key is None or not idempotency_key.strip():
        raise ApiProblem(
            400,
            "invalid_request",
            f"POST {path} moves money: send an {IDEMPOTENCY_KEY} header (a new UUID per "
            "request; retries of the same request reuse it)",
        )
    if len(idempotency_key) > MAX_KEY_LENGTH:
        raise ApiProblem(
            422,
            "invalid_request",
            f"the {IDEMPOTENCY_KEY} header is at most {MAX_KEY_LENGTH} characters",
        )
    refuse_personal_data_in_id(idempotency_key, f"the {IDEMPOTENCY_KEY} header")
    return idempotency_key


def wait_preference(prefer: str | None) -> int | None:
    """Seconds asked for by ``Prefer: wait=N`` (RFC 7240), bounded; None when not asked."""
    if prefer is None:
        return None
    found = _WAIT.search(prefer)
    if found is None:
        return None
    return min(int(found.group(1)), MAX_WAIT_SECONDS)


async def temporal_client(services: ApiServices) -> Client:
    bound = services.settings.api_health_timeout_seconds
    try:
        async with asyncio.timeout(bound):
            return await services.temporal.client()
    except TimeoutError:
        raise TemporalUnreachable(services.settings) from None


async def _claim(
    services: ApiServices,
    caller: ApiKeyPublic,
    endpoint: MoneyMovingEndpoint[Any, Any, Any, Any],
    key: str,
    print_: str,
    workflow_id: str,
    connection_id: str,
) -> tuple[OperationRecord, bool]:
    """Claim the key, waiting a moment for a concurrent request that holds it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.settings.api_idempotency_wait_seconds
    while True:
        try:
            return await asyncio.to_thread(
                services.idempotency.claim,
                caller.tenant_id,
                key,
                kind=endpoint.kind,
                fingerprint=print_,
                workflow_id=workflow_id,
                connection_id=connection_id,
            )
        except IdempotencyKeyInUse as err:
            if loop.time() >= deadline:
                raise ApiProblem(409, "idempotency_in_progress", str(err)) from None
            await asyncio.sleep(_IN_PROGRESS_POLL_SECONDS)


async def accept(
    services: ApiServices,
    caller: ApiKeyPublic,
    endpoint: MoneyMovingEndpoint[BodyT, RequestT, ResultT, ProgressT],
    body: BodyT,
    *,
    connection_id: str,
    idempotency_key: str | None,
    prefer: str | None,
) -> JSONResponse:
    key = checked_key(idempotency_key, endpoint.path)
    try:
        await asyncio.to_thread(services.connections.get, caller.tenant_id, connection_id)
    except TenantConnectionNotFound:
        raise ApiProblem(
            404, "not_found", f"no connection {connection_id} in this tenant"
        ) from None
    request = endpoint.request(body, workflow_key(caller.tenant_id, key), caller)
    endpoint.validate(request)  # typed 422s, before anything is stored or started
    workflow_id = endpoint.operation.workflow_id(request.idempotency_key)
    record, mine = await _claim(
        services, caller, endpoint, key, fingerprint(endpoint.path, body), workflow_id,
        connection_id,
    )  # fmt: skip
    if mine:
        try:
            client = await temporal_client(services)
            await start_operation(
                client,
                services.settings.task_queue,
                endpoint.operation,
                request,
                actor=caller.actor(),
            )
        except BaseException:
            # Nothing started: the caller's retry with this key starts afresh.
            await asyncio.to_thread(services.idempotency.release, record.id)
            raise
        await asyncio.to_thread(services.idempotency.accepted, record.id)
        record = record.model_copy(update={"state": IdempotencyState.ACCEPTED})
    seconds = wait_preference(prefer)
    headers = {"Location": f"/operations/{record.id}"}
    if seconds is not None:
        headers["Preference-Applied"] = f"wait={seconds}"
        await _wait_for(services, endpoint, record, seconds)
    shown = await describe(services, endpoint, record)
    finished = shown.status in (OperationStatus.SUCCEEDED, OperationStatus.FAILED)
    status = HTTPStatus.OK if seconds is not None and finished else HTTPStatus.ACCEPTED
    return JSONResponse(shown.model_dump(mode="json"), status_code=status, headers=headers)


async def _wait_for(
    services: ApiServices,
    endpoint: MoneyMovingEndpoint[Any, Any, Any, Any],
    record: OperationRecord,
    seconds: int,
) -> None:
    client = await temporal_client(services)
    handle = client.get_workflow_handle_for(endpoint.operation.run, record.workflow_id)
    try:
        async with asyncio.timeout(seconds):
            await handle.result()
    except (TimeoutError, WorkflowFailureError):
        pass  # still running, or finished failing: describe() says which


def operation_error(error: BaseException) -> OperationError:
    typed = as_typed_error(error) or error
    status, code = status_and_code(typed)
    message = getattr(typed, "message", None) or str(typed)
    return OperationError(
        type=f"urn:billbridge:problem:{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=redactor.redact(message),
        code=code,
    )


def operation_error_of_type(type_name: str, message: str | None) -> OperationError:
    """The error of a failure recorded by its type's name (a failed payment's row)."""
    known = ERROR_TYPES.get(type_name)
    if known is None:
        return operation_error(RuntimeError(message or "the operation failed"))
    return operation_error(known(message or type_name))


_ENDED = {
    WorkflowExecutionStatus.CANCELED: "the operation was cancelled",
    WorkflowExecutionStatus.TERMINATED: "the operation was terminated by an operator",
    WorkflowExecutionStatus.TIMED_OUT: "the operation timed out",
}


async def outcome(
    services: ApiServices,
    endpoint: MoneyMovingEndpoint[Any, RequestT, ResultT, ProgressT],
    record: OperationRecord,
) -> Outcome[ResultT]:
    """What the operation's workflow says now: bounded, a silent Temporal is a 503."""
    if record.state is IdempotencyState.ACCEPTING:
        return Outcome(OperationStatus.PENDING)
    client = await temporal_client(services)
    handle = client.get_workflow_handle_for(endpoint.operation.run, record.workflow_id)
    bound = services.settings.api_health_timeout_seconds
    try:
        async with asyncio.timeout(bound):
            described = await handle.describe()
    except TimeoutError:
        raise TemporalUnreachable(services.settings) from None
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        # Accepted, yet Temporal holds no workflow (its retention ran out long after).
        return Outcome(OperationStatus.SUCCEEDED)
    status = described.status
    if status is WorkflowExecutionStatus.COMPLETED:
        return Outcome(OperationStatus.SUCCEEDED, result=await handle.result())
    if status is WorkflowExecutionStatus.FAILED:
        try:
            await handle.result()
        except WorkflowFailureError as err:
            return Outcome(OperationStatus.FAILED, error=operation_error(err))
    if status in _ENDED:
        assert status is not None
        return Outcome(
            OperationStatus.FAILED,
            error=OperationError(
                type="urn:billbridge:problem:operation_ended",
                title=HTTPStatus(500).phrase,
                status=500,
                detail=_ENDED[status],
                code="operation_ended",
            ),
        )
    progress: str | None = None
    try:
        async with asyncio.timeout(bound):
            progress = (await handle.query(endpoint.operation.progress)).describe()
    except (TimeoutError, RPCError):
        pass  # no worker answered yet: the status says enough
    return Outcome(OperationStatus.RUNNING, progress=progress)


_LINK_FIELDS = {
    OperationKind.PAYMENT: "payment",
    OperationKind.REFUND: "refund",
    OperationKind.PLAN: "payment_plan",
    OperationKind.DEPOSIT: "deposit",
}


async def describe(
    services: ApiServices,
    endpoint: MoneyMovingEndpoint[Any, Any, Any, Any],
    record: OperationRecord,
) -> OperationPublic:
    found = await outcome(services, endpoint, record)
    result, link = await endpoint.present(services, record, found)
    links = OperationLinks(self=f"/operations/{record.id}")
    if link is not None:
        links = links.model_copy(update={_LINK_FIELDS[record.kind]: link})
    return OperationPublic(
        id=record.id,
        kind=record.kind,
        status=found.status,
        connection_id=record.connection_id,
        created_at=record.created_at,
        progress=found.progress,
        result=result,
        error=found.error,
        links=links,
    )


def object_id(prefix: str, record: OperationRecord) -> str:
    """An object named by its operation (refund, plan, deposit): ``re_<hex>`` of ``op_<hex>``."""
    return f"{prefix}_{record.id.removeprefix('op_')}"


def operation_id(prefix: str, object_id: str) -> str | None:
    if not object_id.startswith(f"{prefix}_"):
        return None
    return f"op_{object_id.removeprefix(prefix + '_')}"


async def record_of(
    services: ApiServices,
    caller: ApiKeyPublic,
    operation_id: str | None,
    kind: OperationKind | None,
    shown_id: str,
    noun: str,
) -> OperationRecord:
    """The caller's tenant's operation (of that kind); any other is a 404."""
    if operation_id is not None:
        try:
            record = await asyncio.to_thread(
                services.idempotency.get, caller.tenant_id, operation_id
            )
        except OperationNotFound:
            pass
        else:
            if kind is None or record.kind is kind:
                return record
    raise ApiProblem(404, "not_found", f"no {noun} {shown_id} in this tenant")


def paged_by_operation(prefix: str, paging: PageRequest) -> PageRequest:
    """A list of objects named by their operations pages by operation: the cursor (an
    object's id, ``re_…``) becomes its operation's id."""
    if paging.starting_after is None:
        return paging
    after = operation_id(prefix, paging.starting_after) or paging.starting_after
    return paging.model_copy(update={"starting_after": after})
