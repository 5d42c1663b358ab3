"""Settlement batches and their CSV export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.patientco import settlement
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.pages.guards import NotFound, staff_page
from sandbox.patientco.state import SandboxDep

router = APIRouter()


@router.get("/settlements")
async def batch_list(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.SETTLEMENTS))],
) -> Response:
    return sandbox.render(request, "settlements.html", staff=staff,
                          batches=settlement.batches(sandbox.db))  # fmt: skip


@router.get("/settlements/{batch_id}/export.csv")
async def batch_export(
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.SETTLEMENT_EXPORT))],
    batch_id: str,
) -> Response:
    summary = settlement.batch(sandbox.db, batch_id)
    if summary is None:
        raise NotFound("Settlement batch not found")
    disposition = f'attachment; filename="{settlement.export_filename(batch_id)}"'
    text = settlement.export_csv(sandbox.db, summary, sandbox.export_faults)
    return Response(text, media_type="text/csv",
                    headers={"Content-Disposition": disposition})  # fmt: skip
