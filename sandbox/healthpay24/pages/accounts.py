"""Accounts first: the accounts list, one account (visits and statements), one statement and
its PDF."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.healthpay24 import records
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.documents import render_statement, statement_filename
from sandbox.healthpay24.pages.guards import NotFound, patient_page
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step

router = APIRouter(prefix="/portal")


@router.get("/accounts")
async def account_list(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.ACCOUNTS))],
) -> Response:
    return sandbox.render(
        request, "accounts.html", patient=patient,
        accounts=records.accounts(sandbox.db, patient.username),
    )  # fmt: skip


@router.get("/accounts/{account_number}")
async def account_detail(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.ACCOUNTS))],
    account_number: str,
) -> Response:
    account = records.account(sandbox.db, account_number, patient.username)
    if account is None:
        raise NotFound("account")
    statements = [
        {**dict(row), "status": records.statement_status(row)}
        for row in records.account_statements(sandbox.db, account_number)
    ]
    return sandbox.render(
        request, "account.html", patient=patient, account=account, statements=statements,
        encounters=records.encounters(sandbox.db, account_number),
    )  # fmt: skip


@router.get("/statements/{statement_id}")
async def statement_detail(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.STATEMENT))],
    statement_id: str,
) -> Response:
    row = _own_statement(sandbox, statement_id, patient)
    return sandbox.render(
        request, "statement.html", patient=patient,
        statement={**dict(row), "status": records.statement_status(row)},
        charges=records.charges(sandbox.db, statement_id),
    )  # fmt: skip


@router.get("/statements/{statement_id}/pdf")
async def statement_pdf(
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.STATEMENT_PDF))],
    statement_id: str,
) -> Response:
    row = _own_statement(sandbox, statement_id, patient)
    content = render_statement(row, records.charges(sandbox.db, statement_id), patient.full_name)
    disposition = f'attachment; filename="{statement_filename(statement_id)}"'
    return Response(
        content, media_type="application/pdf", headers={"Content-Disposition": disposition}
    )


def _own_statement(sandbox: HealthPay24Sandbox, statement_id: str, patient: Patient) -> sqlite3.Row:
    row = records.statement(sandbox.db, statement_id, patient.username)
    if row is None:
        raise NotFound("statement")
    return row
