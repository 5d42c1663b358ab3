"""The patient's account page: who the guarantor is and each account with its balance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.cedar import ledger
from sandbox.cedar.auth import SessionInfo
from sandbox.cedar.faults import Step
from sandbox.cedar.pages.guards import patient_page
from sandbox.cedar.state import SandboxDep

router = APIRouter()


@router.get("/account")
async def account(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.ACCOUNT))],
) -> Response:
    return sandbox.render(
        request, "account.html", patient=patient,
        accounts=ledger.accounts(sandbox.db, patient.username),
        methods=ledger.cards(sandbox.db, patient.username),
    )  # fmt: skip
