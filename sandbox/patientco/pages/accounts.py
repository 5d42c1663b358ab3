"""Guarantor accounts: the searchable list and one account's detail."""

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


@router.get("/accounts")
async def account_list(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.ACCOUNTS))],
    q: str = "",
    page: int = 1,
) -> Response:
    listing = ledger.accounts_page(sandbox.db, q, page)
    return sandbox.render(request, "accounts.html", staff=staff, listing=listing, q=q.strip())


@router.get("/accounts/{account_number}")
async def account_detail(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.ACCOUNT))],
    account_number: str,
) -> Response:
    account = ledger.account(sandbox.db, account_number)
    if account is None:
        raise NotFound("Account not found")
    statements = [
        {**dict(row), "status": ledger.status(row)}
        for row in ledger.account_statements(sandbox.db, account_number)
    ]
    return sandbox.render(
        request, "account.html", staff=staff, account=account,
        patients=ledger.patients(sandbox.db, account_number),
        encounters=ledger.encounters(sandbox.db, account_number), statements=statements,
        wallet=ledger.wallet(sandbox.db, account_number),
    )  # fmt: skip
