"""``/deposits``: collecting an estimate's deposit and following it until it is applied
(EstimateToDepositWorkflow) as a durable operation; read from the operation and its
workflow's result or progress query."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from temporalio.service import RPCError

from models.api_money import DepositCreate, DepositPublic
from models.deposits import DepositProgress, EstimateDepositRequest, EstimateDepositResult
from models.operations import OperationKind, OperationPublic, OperationRecord, OperationStatus
from models.pages import Page, PageRequest
from starters.api.dependencies import PaymentsKey, ReadKey, Services
from starters.api.operations import (
    MoneyMovingEndpoint,
    Outcome,
    accept,
    object_id,
    operation_id,
    outcome,
    paged_by_operation,
    record_of,
    temporal_client,
)
from starters.api.payment_routes import ACCEPTED, PROBLEMS, IdempotencyKeyHeader, PreferHeader
from starters.api.services import ApiServices
from starters.client.billbridge_client import DEPOSIT
from workflows.estimate_to_deposit import EstimateToDepositWorkflow

router = APIRouter(prefix="/deposits", tags=["deposits"])
PREFIX = "dep"


def _public(
    record: OperationRecord,
    found: Outcome[EstimateDepositResult],
    progress: DepositProgress | None = None,
) -> DepositPublic:
    result = found.result
    deposit_id = progress.deposit_id if progress is not None else None
    return DepositPublic(
        id=object_id(PREFIX, record),
        operation_id=record.id,
        connection_id=record.connection_id,
        status=found.status,
        created_at=record.created_at,
        deposit=result.deposit if result else None,
        deposit_id=result.deposit.deposit_id if result else deposit_id,
        amount_applied=result.amount_applied if result else None,
        statement_id=result.statement_id if result else None,
        progress=found.progress,
        error=found.error,
    )


async def _present(
    services: ApiServices, record: OperationRecord, found: Outcome[EstimateDepositResult]
) -> tuple[dict[str, Any] | None, str | None]:
    link = f"/deposits/{object_id(PREFIX, record)}"
    if found.result is None:
        return None, link
    return _public(record, found).model_dump(mode="json"), link


DEPOSITS: MoneyMovingEndpoint[DepositCreate, EstimateDepositRequest, EstimateDepositResult, Any] = (
    MoneyMovingEndpoint(
        kind=OperationKind.DEPOSIT,
        path="/deposits",
        operation=DEPOSIT,
        validate=EstimateDepositRequest.validate_for_deposit,
        present=_present,
    )
)


async def _shown(services: ApiServices, record: OperationRecord) -> DepositPublic:
    found = await outcome(services, DEPOSITS, record)
    progress = None
    if found.status is OperationStatus.RUNNING:
        # While it is followed, the progress query says which deposit the portal holds.
        client = await temporal_client(services)
        handle = client.get_workflow_handle_for(EstimateToDepositWorkflow.run, record.workflow_id)
        try:
            async with asyncio.timeout(services.settings.api_health_timeout_seconds):
                progress = await handle.query(EstimateToDepositWorkflow.progress)
        except (TimeoutError, RPCError):
            progress = None
    return _public(record, found, progress)


@router.post("", status_code=202, response_model=OperationPublic, responses=ACCEPTED)
async def post_deposit(
    body: DepositCreate,
    caller: PaymentsKey,
    services: Services,
    idempotency_key: IdempotencyKeyHeader = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    return await accept(
        services, caller, DEPOSITS, body,
        connection_id=body.connection_id, idempotency_key=idempotency_key, prefer=prefer,
    )  # fmt: skip


@router.get("", response_model=Page[DepositPublic], responses=PROBLEMS)
async def list_deposits(
    caller: ReadKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[DepositPublic]:
    page = await asyncio.to_thread(
        services.idempotency.list,
        caller.tenant_id,
        paged_by_operation(PREFIX, paging),
        OperationKind.DEPOSIT,
    )
    shown = await asyncio.gather(*(_shown(services, record) for record in page.data))
    return Page[DepositPublic](data=list(shown), has_more=page.has_more)


@router.get("/{deposit_id}", response_model=DepositPublic, responses=PROBLEMS)
async def get_deposit(deposit_id: str, caller: ReadKey, services: Services) -> DepositPublic:
    record = await record_of(
        services, caller, operation_id(PREFIX, deposit_id), OperationKind.DEPOSIT, deposit_id,
        "deposit",
    )  # fmt: skip
    return await _shown(services, record)
