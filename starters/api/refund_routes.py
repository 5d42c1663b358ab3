"""``/refunds``: a void or refund of a posted payment as a durable operation
(RefundPaymentWorkflow); a refund is read from its operation and its workflow's result."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from models.api_keys import ApiKeyPublic
from models.api_money import RefundCreate, RefundPublic
from models.operations import OperationKind, OperationPublic, OperationRecord
from models.pages import Page, PageRequest
from models.refunds import RefundRequest, RefundResult
from starters.api.dependencies import ReadKey, RefundsKey, Services
from starters.api.operations import (
    MoneyMovingEndpoint,
    Outcome,
    accept,
    object_id,
    operation_id,
    outcome,
    paged_by_operation,
    record_of,
)
from starters.api.payment_routes import ACCEPTED, PROBLEMS, IdempotencyKeyHeader, PreferHeader
from starters.api.services import ApiServices
from starters.client.billbridge_client import REFUND

router = APIRouter(prefix="/refunds", tags=["refunds"])
PREFIX = "re"


def _public(record: OperationRecord, found: Outcome[RefundResult]) -> RefundPublic:
    result = found.result
    return RefundPublic(
        id=object_id(PREFIX, record),
        operation_id=record.id,
        connection_id=record.connection_id,
        status=found.status,
        created_at=record.created_at,
        refund=result.refund if result else None,
        net_paid_after=result.net_paid_after if result else None,
        error=found.error,
    )


async def _present(
    services: ApiServices, record: OperationRecord, found: Outcome[RefundResult]
) -> tuple[dict[str, Any] | None, str | None]:
    link = f"/refunds/{object_id(PREFIX, record)}"
    if found.result is None:
        return None, link
    return _public(record, found).model_dump(mode="json"), link


REFUNDS: MoneyMovingEndpoint[RefundCreate, RefundRequest, RefundResult, Any] = MoneyMovingEndpoint(
    kind=OperationKind.REFUND,
    path="/refunds",
    operation=REFUND,
    validate=RefundRequest.validate_for_refund,
    present=_present,
)


async def _shown(services: ApiServices, record: OperationRecord) -> RefundPublic:
    return _public(record, await outcome(services, REFUNDS, record))


@router.post("", status_code=202, response_model=OperationPublic, responses=ACCEPTED)
async def post_refund(
    body: RefundCreate,
    caller: RefundsKey,
    services: Services,
    idempotency_key: IdempotencyKeyHeader = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    return await accept(
        services, caller, REFUNDS, body,
        connection_id=body.connection_id, idempotency_key=idempotency_key, prefer=prefer,
    )  # fmt: skip


@router.get("", response_model=Page[RefundPublic], responses=PROBLEMS)
async def list_refunds(
    caller: ReadKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[RefundPublic]:
    page = await asyncio.to_thread(
        services.idempotency.list,
        caller.tenant_id,
        paged_by_operation(PREFIX, paging),
        OperationKind.REFUND,
    )
    shown = await asyncio.gather(*(_shown(services, record) for record in page.data))
    return Page[RefundPublic](data=list(shown), has_more=page.has_more)


@router.get("/{refund_id}", response_model=RefundPublic, responses=PROBLEMS)
async def get_refund(refund_id: str, caller: ReadKey, services: Services) -> RefundPublic:
    record = await _record(services, caller, refund_id)
    return await _shown(services, record)


async def _record(services: ApiServices, caller: ApiKeyPublic, refund_id: str) -> OperationRecord:
    return await record_of(
        services, caller, operation_id(PREFIX, refund_id), OperationKind.REFUND, refund_id,
        "refund",
    )  # fmt: skip
