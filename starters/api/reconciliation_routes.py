"""``POST /reconciliations`` (reconcile a connection now), ``GET /reconciliations/{id}``
(the run's status and, once recorded, its report) and ``PUT
/connections/{id}/reconciliation-schedule`` (the daily run).

Starting a run needs the ``payments`` scope: it reads the money that scope moves and marks
chargebacks on payments, but moves none (``admin`` holds every scope). The schedule is a
standing setting of the connection: ``admin``.
"""

from __future__ import annotations

import asyncio
from datetime import time
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response

from models.api_keys import ApiKeyPublic, Scope
from models.errors import NotOffered
from models.offerings import Process
from models.settlement_records import (
    ReconciliationRunPublic,
    ReconciliationRunStatus,
    ReconciliationSchedulePublic,
    ReconciliationScheduleUpdate,
    ReconciliationStart,
)
from portals.offerings import offered_by, offers
from starters.api.dependencies import AdminKey, ReadKey, Services, require
from starters.api.problems import ApiProblem, Problem
from starters.api.reconciliation_runs import RunNotFound
from starters.api.settlement_routes import ONE, Reconciliation
from stores.read_model.tenant_connections import TenantConnectionNotFound

router = APIRouter(tags=["reconciliations"])
PaymentsKey = Annotated[ApiKeyPublic, Depends(require(Scope.PAYMENTS))]
_STARTS = {
    **ONE,
    422: {"model": Problem, "description": "invalid request, or not_offered by the portal"},
    503: {"model": Problem, "description": "Temporal did not answer (temporal_unreachable)"},
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", min_length=1, max_length=200,
        description="optional: the same key returns the same run",
    ),
]  # fmt: skip


async def _offering_connection(
    services: Services, caller: ApiKeyPublic, connection_id: str
) -> None:
    try:
        record = await asyncio.to_thread(services.connections.get, caller.tenant_id, connection_id)
    except TenantConnectionNotFound:
        raise ApiProblem(
            404, "not_found", f"no connection {connection_id} in this tenant"
        ) from None
    if not offers(record.portal, Process.SETTLEMENT_EXPORTS):
        others = ", ".join(offered_by(Process.SETTLEMENT_EXPORTS))
        raise NotOffered(
            f"{record.portal} does not offer settlement exports (offered on: {others}); "
            f"connection {connection_id}"
        )


def _run_links(run_id: str, report_id: str | None) -> dict[str, str]:
    links = {"self": f"/reconciliations/{run_id}"}
    if report_id is not None:
        links["report"] = f"/reconciliation-reports/{report_id}"
    return links


@router.post(
    "/reconciliations", status_code=202, response_model=ReconciliationRunPublic, responses=_STARTS
)
async def start_reconciliation(
    body: ReconciliationStart,
    caller: PaymentsKey,
    services: Services,
    reconciliation: Reconciliation,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ReconciliationRunPublic:
    """Reconcile the connection's settlement export now; follow the run by its link."""
    await _offering_connection(services, caller, body.connection_id)
    run_id = await reconciliation.start(caller, body.connection_id, idempotency_key)
    response.headers["Location"] = f"/reconciliations/{run_id}"
    return ReconciliationRunPublic(
        id=run_id, connection_id=body.connection_id, status=ReconciliationRunStatus.RUNNING,
        links=_run_links(run_id, None),
    )  # fmt: skip


@router.get(
    "/reconciliations/{run_id}",
    response_model=ReconciliationRunPublic,
    responses={**ONE, 503: _STARTS[503]},
)
async def get_reconciliation(
    run_id: str, caller: ReadKey, reconciliation: Reconciliation
) -> ReconciliationRunPublic:
    """The run's status; once it completed, the report it recorded."""
    try:
        connection_id, status = await reconciliation.describe(caller.tenant_id, run_id)
    except RunNotFound:
        raise ApiProblem(404, "not_found", f"no reconciliation {run_id} in this tenant") from None
    records = reconciliation.records
    report_id = await asyncio.to_thread(records.report_of_run, caller.tenant_id, run_id)
    return ReconciliationRunPublic(
        id=run_id, connection_id=connection_id, status=status, report_id=report_id,
        links=_run_links(run_id, report_id),
    )  # fmt: skip


@router.put(
    "/connections/{connection_id}/reconciliation-schedule",
    response_model=ReconciliationSchedulePublic,
    responses=_STARTS,
    tags=["connections"],
)
async def put_reconciliation_schedule(
    connection_id: str,
    body: ReconciliationScheduleUpdate,
    caller: AdminKey,
    services: Services,
    reconciliation: Reconciliation,
) -> ReconciliationSchedulePublic:
    """Reconcile the connection every day at ``at`` (UTC, HH:MM); again = moved."""
    await _offering_connection(services, caller, connection_id)
    hour, minute = (int(part) for part in body.at.split(":"))
    schedule_id, created = await reconciliation.schedule(caller, connection_id, time(hour, minute))
    return ReconciliationSchedulePublic(
        id=schedule_id, connection_id=connection_id, at=body.at, created=created
    )
