"""``/settlements`` and ``/reconciliation-reports``: what reconciliation runs recorded in
the read model, per tenant, served from the database (never from a browser or Temporal)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from models.errors import ArtifactNotFound
from models.pages import Page, PageRequest
from models.settlement_records import ReconciliationReportPublic, SettlementBatchPublic
from starters.api.dependencies import ReadKey
from starters.api.problems import ApiProblem, Problem
from starters.api.reconciliation_runs import ReconciliationServices
from stores.read_model.settlement_records import SettlementRecordNotFound

router = APIRouter(tags=["settlements"])
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the scope"},
    422: {"model": Problem, "description": "invalid request"},
}
ONE = {**PROBLEMS, 404: {"model": Problem, "description": "no such object in this tenant"}}


def reconciliation(request: Request) -> ReconciliationServices:
    found: ReconciliationServices = request.app.state.reconciliation
    return found


Reconciliation = Annotated[ReconciliationServices, Depends(reconciliation)]
ConnectionFilter = Annotated[
    str | None, Query(min_length=1, max_length=64, description="only this connection's")
]


def _not_found(kind: str, object_id: str) -> ApiProblem:
    return ApiProblem(404, "not_found", f"no {kind} {object_id} in this tenant")


@router.get("/settlements", response_model=Page[SettlementBatchPublic], responses=PROBLEMS)
async def list_settlements(
    caller: ReadKey,
    services: Reconciliation,
    paging: Annotated[PageRequest, Query()],
    connection_id: ConnectionFilter = None,
) -> Page[SettlementBatchPublic]:
    """Settlement batches as the latest reconciliation of each connection fetched them."""
    records = services.records
    return await asyncio.to_thread(records.list_batches, caller.tenant_id, paging, connection_id)


@router.get("/settlements/{settlement_id}", response_model=SettlementBatchPublic, responses=ONE)
async def get_settlement(
    settlement_id: str, caller: ReadKey, services: Reconciliation
) -> SettlementBatchPublic:
    """The batch with its transactions (payments, refunds, chargebacks)."""
    try:
        return await asyncio.to_thread(services.records.get_batch, caller.tenant_id, settlement_id)
    except SettlementRecordNotFound:
        raise _not_found("settlement batch", settlement_id) from None


@router.get(
    "/reconciliation-reports",
    response_model=Page[ReconciliationReportPublic],
    responses=PROBLEMS,
)
async def list_reconciliation_reports(
    caller: ReadKey,
    services: Reconciliation,
    paging: Annotated[PageRequest, Query()],
    connection_id: ConnectionFilter = None,
) -> Page[ReconciliationReportPublic]:
    """Every finished reconciliation, oldest first, with its counts per outcome."""
    records = services.records
    return await asyncio.to_thread(records.list_reports, caller.tenant_id, paging, connection_id)


@router.get(
    "/reconciliation-reports/{report_id}",
    response_model=ReconciliationReportPublic,
    responses=ONE,
)
async def get_reconciliation_report(
    report_id: str, caller: ReadKey, services: Reconciliation
) -> ReconciliationReportPublic:
    """The report's counts and the lines a person must look at (``needs_review``)."""
    try:
        return await asyncio.to_thread(services.records.get_report, caller.tenant_id, report_id)
    except SettlementRecordNotFound:
        raise _not_found("reconciliation report", report_id) from None


@router.get(
    "/reconciliation-reports/{report_id}/csv",
    response_class=Response,
    responses={**ONE, 200: {"content": {"text/csv": {}}, "description": "the report's CSV"}},
)
async def get_reconciliation_report_csv(
    report_id: str, caller: ReadKey, services: Reconciliation
) -> Response:
    """The report's CSV as the run wrote it (decrypted from the artifact store)."""
    try:
        key = await asyncio.to_thread(services.records.report_csv_key, caller.tenant_id, report_id)
        content = await asyncio.to_thread(services.artifacts.get, key)
    except (SettlementRecordNotFound, ArtifactNotFound):
        raise _not_found("reconciliation report", report_id) from None
    return Response(
        content,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{report_id}.csv"'},
    )
