"""``/payments``: posting a payment as a durable operation, and reading payments from the
read model (never a browser), each with an expiring link to its receipt."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from models.api_keys import ApiKeyPublic
from models.api_money import PaymentCreate, PaymentFailure, PaymentPublic, ReceiptLink
from models.audit import Actor, ActorKind
from models.operations import OperationKind, OperationPublic, OperationRecord
from models.operator_hold import OperatorAction
from models.pages import Page, PageRequest
from models.payments import PostPaymentRequest, PostPaymentResult
from models.synced import RecordedPayment
from starters.api.dependencies import PaymentsKey, ReadKey, Services
from starters.api.operations import (
    MoneyMovingEndpoint,
    Outcome,
    accept,
    describe,
    operation_error_of_type,
    record_of,
    temporal_client,
)
from starters.api.problems import ApiProblem, Problem
from starters.api.services import ApiServices
from starters.client import operator_holds
from starters.client.billbridge_client import PAYMENT
from stores.artifact_links import ReceiptLinks

router = APIRouter(prefix="/payments", tags=["payments"])
# Long enough to follow from a page, short enough that a leaked link soon stops working.
RECEIPT_LINK_TTL = timedelta(minutes=15)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "no Idempotency-Key (invalid_request)"},
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the scope"},
    404: {"model": Problem, "description": "no such connection in this tenant"},
    409: {"model": Problem, "description": "the key's first request is still being accepted"},
    422: {"model": Problem, "description": "invalid request, idempotency_conflict, …"},
    503: {"model": Problem, "description": "Temporal did not answer (temporal_unreachable)"},
}
ACCEPTED: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    200: {"model": OperationPublic, "description": "finished within Prefer: wait"},
    202: {"model": OperationPublic, "description": "accepted: follow Location"},
}
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="required: one per request, reused by its retries (IETF httpapi draft)",
    ),
]
PreferHeader = Annotated[
    str | None, Header(description="wait=N (seconds, at most 60): answer once finished")
]


def receipt_link(services: ApiServices, request: Request, key: str) -> tuple[str, datetime]:
    """Signed per request against this API's own address (it serves the links), or an S3
    presigned URL when receipts live there."""
    expires_at = datetime.now(UTC) + RECEIPT_LINK_TTL
    if services.settings.artifacts_s3_bucket:
        return services.artifacts.link(key, RECEIPT_LINK_TTL), expires_at
    links = ReceiptLinks(services.receipt_link_key, str(request.base_url))
    return links.link(key, RECEIPT_LINK_TTL), expires_at


def payment_public(
    services: ApiServices, request: Request | None, found: RecordedPayment
) -> PaymentPublic:
    record, payment = found.record, found.payment
    receipt = None
    if request is not None and record is not None and record.receipt is not None:
        url, expires_at = receipt_link(services, request, record.receipt.key)
        stored = record.receipt
        receipt = ReceiptLink(
            url=url, expires_at=expires_at, sha256=stored.sha256,
            size_bytes=stored.size_bytes, content_type=stored.content_type,
        )  # fmt: skip
    failure = None
    if record is not None and record.failure_type is not None:
        failure = operation_error_of_type(record.failure_type, record.failure_message)
    return PaymentPublic(
        id=found.id,
        connection_id=found.connection_id,
        status=found.status,
        amount_cents=found.amount_cents,
        currency=found.currency,
        statement_id=payment.statement_id if payment else record.statement_id if record else None,
        confirmation_number=payment.confirmation_number if payment else None,
        reference=payment.reference if payment else record.reference if record else None,
        method_last4=payment.method_last4 if payment else None,
        posted_at=payment.posted_at if payment else None,
        receipt=receipt,
        failure=PaymentFailure(code=failure.code, detail=failure.detail) if failure else None,
        operation_id=found.operation_id,
        synced_at=found.synced_at,
    )


async def _present(
    services: ApiServices, record: OperationRecord, outcome: Outcome[PostPaymentResult]
) -> tuple[dict[str, Any] | None, str | None]:
    found = await asyncio.to_thread(
        services.payments.by_workflow, record.tenant_id, record.workflow_id
    )
    if found is None:
        # Not recorded (yet): the workflow's own result, without a read-model id.
        if outcome.result is None:
            return None, None
        return outcome.result.payment.model_dump(mode="json"), None
    if outcome.result is None:
        return None, f"/payments/{found.id}"  # failed: the attempt is still a row
    # No request here: the receipt link is signed where a payment is read (GET /payments).
    shown = payment_public(services, None, found)
    return shown.model_dump(mode="json"), f"/payments/{found.id}"


PAYMENTS: MoneyMovingEndpoint[PaymentCreate, PostPaymentRequest, PostPaymentResult, Any] = (
    MoneyMovingEndpoint(
        kind=OperationKind.PAYMENT,
        path="/payments",
        operation=PAYMENT,
        validate=PostPaymentRequest.validate_for_posting,
        present=_present,
    )
)


@router.post("", status_code=202, response_model=OperationPublic, responses=ACCEPTED)
async def post_payment(
    body: PaymentCreate,
    caller: PaymentsKey,
    services: Services,
    idempotency_key: IdempotencyKeyHeader = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    return await accept(
        services, caller, PAYMENTS, body,
        connection_id=body.connection_id, idempotency_key=idempotency_key, prefer=prefer,
    )  # fmt: skip


@router.get("", response_model=Page[PaymentPublic], responses=PROBLEMS)
async def list_payments(
    request: Request,
    caller: ReadKey,
    services: Services,
    paging: Annotated[PageRequest, Query()],
) -> Page[PaymentPublic]:
    page = await asyncio.to_thread(services.payments.list, caller.tenant_id, paging)
    shown = [payment_public(services, request, found) for found in page.data]
    return Page[PaymentPublic](data=shown, has_more=page.has_more)


@router.get("/{payment_id}", response_model=PaymentPublic, responses=PROBLEMS)
async def get_payment(
    payment_id: str, request: Request, caller: ReadKey, services: Services
) -> PaymentPublic:
    found = await asyncio.to_thread(services.payments.get, caller.tenant_id, payment_id)
    if found is None:
        raise ApiProblem(404, "not_found", f"no payment {payment_id} in this tenant")
    return payment_public(services, request, found)


class HeldPaymentDecision(BaseModel):
    reason: str | None = Field(default=None, max_length=500, description="for the audit trail")


DECIDED: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    409: {"model": Problem, "description": "not waiting for an operator (not_awaiting_operator)"},
}


@router.post("/{operation_id}/retry", response_model=OperationPublic, responses=DECIDED)
async def retry_held_payment(
    operation_id: str,
    caller: PaymentsKey,
    services: Services,
    body: Annotated[HeldPaymentDecision | None, Body()] = None,
) -> OperationPublic:
    """A payment held because its portal changed (its operation shows ``awaiting an
    operator``; ``operation_id`` is the ``op_…`` POST /payments answered): run it again
    from the session step. It reconciles by reference first, so it never pays twice."""
    return await _decide(services, caller, operation_id, OperatorAction.RETRY, body)


@router.post("/{operation_id}/cancel", response_model=OperationPublic, responses=DECIDED)
async def cancel_held_payment(
    operation_id: str,
    caller: PaymentsKey,
    services: Services,
    body: Annotated[HeldPaymentDecision | None, Body()] = None,
) -> OperationPublic:
    """A payment held because its portal changed: fail it as ``payment_cancelled``."""
    return await _decide(services, caller, operation_id, OperatorAction.CANCEL, body)


async def _decide(
    services: ApiServices,
    caller: ApiKeyPublic,
    operation_id: str,
    action: OperatorAction,
    body: HeldPaymentDecision | None,
) -> OperationPublic:
    record = await record_of(
        services, caller, operation_id, OperationKind.PAYMENT, operation_id, "payment operation"
    )
    await operator_holds.decide(
        await temporal_client(services),
        record.workflow_id,
        action,
        Actor(kind=ActorKind.API_KEY, id=caller.id),
        body.reason if body is not None else None,
    )
    return await describe(services, PAYMENTS, record)
