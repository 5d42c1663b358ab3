"""The statement worklist (every guarantor's statements) and one statement's detail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.patientco import ledger
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.pages.guards import NotFound, staff_page
from sandbox.patientco.state import SandboxDep

router = APIRouter()


@router.get("/statements")
async def statement_list(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.STATEMENTS))],
    page: int = 1,
) -> Response:
    listing = ledger.statements_page(sandbox.db, page)
    rows = [{**dict(row), "status": ledger.status(row)} for row in listing.rows]
    return sandbox.render(request, "statements.html", staff=staff, listing=listing, rows=rows)


@router.get("/statements/{statement_id}")
async def statement_detail(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.STATEMENT))],
    statement_id: str,
) -> Response:
    row = ledger.statement(sandbox.db, statement_id)
    if row is None:
        raise NotFound("Statement not found")
    return sandbox.render(
        request, "statement.html", staff=staff,
        statement={**dict(row), "status": ledger.status(row)},
        line_items=ledger.line_items(sandbox.db, statement_id),
    )  # fmt: skip
