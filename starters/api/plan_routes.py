"""``/payment-plans``: enrolling a payment plan (EnrollPlanWorkflow) as a durable
operation. A plan is read from its operation and the plan workflow's queries (its schedule,
next draft and the plan as last read from the portal): the workflow is not a browser."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from temporalio.service import RPCError

from models.api_money import PlanCreate, PlanPublic
from models.operations import OperationKind, OperationPublic, OperationRecord
from models.pages import Page, PageRequest
from models.plan_enrollment import EnrollPlanRequest, NextDraft, PlanOutcome, PlanSchedule, PlanView
from starters.api.dependencies import PlansKey, ReadKey, Services
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
from starters.client.billbridge_client import PLAN
from workflows.enroll_plan import EnrollPlanWorkflow

router = APIRouter(prefix="/payment-plans", tags=["payment plans"])
PREFIX = "plan"


async def _queried(
    services: ApiServices, record: OperationRecord
) -> tuple[PlanView | None, PlanSchedule | None, NextDraft | None]:
    """The plan workflow's queries (its current run); None each when no worker answered."""
    client = await temporal_client(services)
    handle = client.get_workflow_handle_for(EnrollPlanWorkflow.run, record.workflow_id)
    try:
        async with asyncio.timeout(services.settings.api_health_timeout_seconds):
            return (
                await handle.query(EnrollPlanWorkflow.plan),
                await handle.query(EnrollPlanWorkflow.schedule),
                await handle.query(EnrollPlanWorkflow.next_draft),
            )
    except (TimeoutError, RPCError):
        return None, None, None


async def _public(
    services: ApiServices, record: OperationRecord, found: Outcome[PlanOutcome]
) -> PlanPublic:
    view, schedule, next_draft = (None, None, None)
    if found.error is None:
        view, schedule, next_draft = await _queried(services, record)
    plan = view.plan if view is not None else None
    return PlanPublic(
        id=object_id(PREFIX, record),
        operation_id=record.id,
        connection_id=record.connection_id,
        status=found.status,
        plan_status=plan.status.value if plan is not None else None,
        created_at=record.created_at,
        plan=plan,
        schedule=schedule.installments if schedule is not None else [],
        next_draft=next_draft,
        progress=view.progress.describe() if view is not None else found.progress,
        error=found.error,
    )


async def _present(
    services: ApiServices, record: OperationRecord, found: Outcome[PlanOutcome]
) -> tuple[dict[str, Any] | None, str | None]:
    link = f"/payment-plans/{object_id(PREFIX, record)}"
    if found.result is None:
        return None, link
    return (await _public(services, record, found)).model_dump(mode="json"), link


PLANS: MoneyMovingEndpoint[PlanCreate, EnrollPlanRequest, PlanOutcome, Any] = MoneyMovingEndpoint(
    kind=OperationKind.PLAN,
    path="/payment-plans",
    operation=PLAN,
    validate=EnrollPlanRequest.validate_for_enrollment,
    present=_present,
)


async def _shown(services: ApiServices, record: OperationRecord) -> PlanPublic:
    return await _public(services, record, await outcome(services, PLANS, record))


@router.post("", status_code=202, response_model=OperationPublic, responses=ACCEPTED)
async def post_plan(
    body: PlanCreate,
    caller: PlansKey,
    services: Services,
    idempotency_key: IdempotencyKeyHeader = None,
    prefer: PreferHeader = None,
) -> JSONResponse:
    return await accept(
        services, caller, PLANS, body,
        connection_id=body.connection_id, idempotency_key=idempotency_key, prefer=prefer,
    )  # fmt: skip


@router.get("", response_model=Page[PlanPublic], responses=PROBLEMS)
async def list_plans(
    caller: ReadKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[PlanPublic]:
    page = await asyncio.to_thread(
        services.idempotency.list,
        caller.tenant_id,
        paged_by_operation(PREFIX, paging),
        OperationKind.PLAN,
    )
    shown = await asyncio.gather(*(_shown(services, record) for record in page.data))
    return Page[PlanPublic](data=list(shown), has_more=page.has_more)


@router.get("/{plan_id}", response_model=PlanPublic, responses=PROBLEMS)
async def get_plan(plan_id: str, caller: ReadKey, services: Services) -> PlanPublic:
    record = await record_of(
        services, caller, operation_id(PREFIX, plan_id), OperationKind.PLAN, plan_id,
        "payment plan",
    )  # fmt: skip
    return await _shown(services, record)
