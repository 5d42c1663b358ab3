"""``/operations``: every money-moving POST's operation, whatever its kind, by id."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query

from models.operations import OperationKind, OperationPublic
from models.pages import Page, PageRequest
from starters.api.dependencies import ReadKey, Services
from starters.api.deposit_routes import DEPOSITS
from starters.api.operations import MoneyMovingEndpoint, describe, record_of
from starters.api.payment_routes import PAYMENTS, PROBLEMS
from starters.api.plan_routes import PLANS
from starters.api.refund_routes import REFUNDS

router = APIRouter(prefix="/operations", tags=["operations"])

ENDPOINTS: dict[OperationKind, MoneyMovingEndpoint[Any, Any, Any, Any]] = {
    endpoint.kind: endpoint for endpoint in (PAYMENTS, REFUNDS, PLANS, DEPOSITS)
}


@router.get("", response_model=Page[OperationPublic], responses=PROBLEMS)
async def list_operations(
    caller: ReadKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[OperationPublic]:
    page = await asyncio.to_thread(services.idempotency.list, caller.tenant_id, paging)
    shown = await asyncio.gather(
        *(describe(services, ENDPOINTS[record.kind], record) for record in page.data)
    )
    return Page[OperationPublic](data=list(shown), has_more=page.has_more)


@router.get("/{operation_id}", response_model=OperationPublic, responses=PROBLEMS)
async def get_operation(operation_id: str, caller: ReadKey, services: Services) -> OperationPublic:
    record = await record_of(services, caller, operation_id, None, operation_id, "operation")
    return await describe(services, ENDPOINTS[record.kind], record)
