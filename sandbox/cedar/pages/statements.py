"""The statements list (paginated) and one statement's itemized detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.cedar import ledger
from sandbox.cedar.auth import SessionInfo
from sandbox.cedar.faults import Step
from sandbox.cedar.pages.guards import NotFound, patient_page
from sandbox.cedar.state import SandboxDep

router = APIRouter()


@router.get("/statements")
async def statement_list(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.STATEMENTS))],
    page: int = 1,
) -> Response:
    listing = ledger.statements_page(sandbox.db, patient.username, page)
    rows = [{**dict(row), "status": ledger.status(row)} for row in listing.rows]
    return sandbox.render(
        request, "statements.html", patient=patient, statements=rows,
        page=listing.page, pages=listing.pages,
    )  # fmt: skip


@router.get("/statements/{statement_id}")
async def statement_detail(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.STATEMENT))],
    statement_id: str,
) -> Response:
    row = ledger.statement(sandbox.db, statement_id, patient.username)
    if row is None:
        raise NotFound("statement")
    return sandbox.render(
        request, "statement.html", patient=patient,
        statement={**dict(row), "status": ledger.status(row)},
        line_items=ledger.line_items(sandbox.db, statement_id),
    )  # fmt: skip
