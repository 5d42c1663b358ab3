"""Payment plans in the console: per guarantor account, enrollment on a statement with its
plan terms, the plan's draft schedule with next draft dates, editing and cancelling.

The engine is the shared back office (``sandbox.common.autopay``); every page runs after
its catch-up, so drafts are as of the sandbox's clock.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.autopay import PlanRefused
from sandbox.common.connection_drop import DroppedConnection
from sandbox.patientco import ledger
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.formatting import parse_amount
from sandbox.patientco.pages.guards import NotFound, staff_page
from sandbox.patientco.plan_wording import REFUSALS, plan_view
from sandbox.patientco.state import PatientcoSandbox, SandboxDep

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_REFERENCE_LENGTH = 120
UNPROCESSABLE = 422
NOT_ON_FILE = "Select a payment method on file for this guarantor."
NO_AUTHORIZATION = "Record the guarantor's authorization for recurring drafts."


@router.get("/statements/{statement_id}/plan")
async def enrollment_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_FORM))],
    statement_id: str,
) -> Response:
    statement = _statement(sandbox, statement_id)
    return _render_enrollment(request, sandbox, staff, statement, [], {})


@router.post("/statements/{statement_id}/plan")
async def enrollment_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_SUBMIT))],
    statement_id: str,
    installment: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    authorized: Annotated[str, Form()] = "",
    submission: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a plan enrollment during the restart")
        return DroppedConnection(sandbox.connections)
    statement = _statement(sandbox, statement_id)
    values = {"installment": installment, "method": method, "reference": reference}
    errors = _form_errors(sandbox, statement["account_number"], installment, method)
    if len(reference.strip()) > MAX_REFERENCE_LENGTH:
        errors.append(f"The reference must be {MAX_REFERENCE_LENGTH} characters or fewer.")
    if not authorized:
        errors.append(NO_AUTHORIZATION)
    cents = parse_amount(installment)
    if errors or cents is None:
        return _render_enrollment(request, sandbox, staff, statement, errors, values)
    try:
        plan_id = sandbox.autopay.enroll(
            statement_id=statement_id, owner=statement["account_number"], token=method,
            installment_cents=cents, reference=reference.strip(), submission_id=submission,
        )  # fmt: skip
    except PlanRefused as refused:
        errors = [REFUSALS[refusal] for refusal in refused.refusals]
        return _render_enrollment(request, sandbox, staff, statement, errors, values)
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: plan %s enrolled, dropping the connection", plan_id)
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(f"/plans/{plan_id}?enrolled=1", status_code=303)


@router.get("/plans")
async def plan_worklist(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLANS))],
    reference: str | None = None,
) -> Response:
    wanted = reference.strip() if reference and reference.strip() else None
    rows = sandbox.autopay.plans(reference=wanted)
    return sandbox.render(
        request, "plans.html", staff=staff, reference=wanted or "", account=None,
        plans=[plan_view(sandbox.db, sandbox.autopay, row) for row in rows],
    )  # fmt: skip


@router.get("/accounts/{account_number}/plans")
async def account_plans(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLANS))],
    account_number: str,
) -> Response:
    account = ledger.account(sandbox.db, account_number)
    if account is None:
        raise NotFound("Account not found")
    rows = sandbox.autopay.plans(owner=account_number)
    return sandbox.render(
        request, "plans.html", staff=staff, reference="", account=account,
        plans=[plan_view(sandbox.db, sandbox.autopay, row) for row in rows],
    )  # fmt: skip


@router.get("/plans/{plan_id}")
async def plan_page(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN))],
    plan_id: str,
    enrolled: int = 0,
    saved: int = 0,
) -> Response:
    plan = _plan(sandbox, plan_id)
    return sandbox.render(
        request, "plan.html", staff=staff, enrolled=bool(enrolled), saved=bool(saved),
        plan=plan_view(sandbox.db, sandbox.autopay, plan),
    )  # fmt: skip


@router.get("/plans/{plan_id}/edit")
async def edit_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_EDIT))],
    plan_id: str,
) -> Response:
    plan = _plan(sandbox, plan_id)
    values = {"installment": f"{plan['installment_cents'] / 100:.2f}", "method": plan["token"]}
    return _render_edit(request, sandbox, staff, plan, [], values)


@router.post("/plans/{plan_id}/edit")
async def edit_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_EDIT))],
    plan_id: str,
    installment: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
) -> Response:
    plan = _plan(sandbox, plan_id)
    values = {"installment": installment, "method": method}
    errors = _form_errors(sandbox, plan["owner"], installment, method)
    cents = parse_amount(installment)
    if errors or cents is None:
        return _render_edit(request, sandbox, staff, plan, errors, values)
    try:
        sandbox.autopay.change(
            plan_id,
            installment_cents=None if cents == plan["installment_cents"] else cents,
            token=None if method == plan["token"] else method,
        )
    except PlanRefused as refused:
        errors = [REFUSALS[refusal] for refusal in refused.refusals]
        return _render_edit(request, sandbox, staff, plan, errors, values)
    return RedirectResponse(f"/plans/{plan_id}?saved=1", status_code=303)


@router.get("/plans/{plan_id}/cancel")
async def cancel_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_CANCEL))],
    plan_id: str,
) -> Response:
    plan = _plan(sandbox, plan_id)
    return sandbox.render(request, "plan_cancel.html", staff=staff,
                          plan=plan_view(sandbox.db, sandbox.autopay, plan))  # fmt: skip


@router.post("/plans/{plan_id}/cancel")
async def cancel_submit(
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PLAN_CANCEL))],
    plan_id: str,
) -> Response:
    _plan(sandbox, plan_id)
    sandbox.autopay.cancel(plan_id)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


def _form_errors(
    sandbox: PatientcoSandbox, account_number: str, installment: str, method: str
) -> list[str]:
    errors = []
    cents = parse_amount(installment)
    if cents is None:
        errors.append("Enter the installment in US dollars, for example 25.00.")
    elif cents <= 0:
        errors.append("The installment must be more than USD 0.00.")
    if method not in {row["token"] for row in ledger.wallet(sandbox.db, account_number)}:
        errors.append(NOT_ON_FILE)
    return errors


def _statement(sandbox: PatientcoSandbox, statement_id: str) -> sqlite3.Row:
    statement = ledger.statement(sandbox.db, statement_id)
    if statement is None:
        raise NotFound("Statement not found")
    return statement


def _plan(sandbox: PatientcoSandbox, plan_id: str) -> sqlite3.Row:
    plan = sandbox.autopay.plan(plan_id)
    if plan is None:
        raise NotFound("Payment plan not found")
    return plan


def _render_enrollment(
    request: Request, sandbox: PatientcoSandbox, staff: StaffSession, statement: sqlite3.Row,
    errors: list[str], values: dict[str, str],
) -> Response:  # fmt: skip
    return sandbox.render(
        request, "plan_enroll.html", status_code=UNPROCESSABLE if errors else 200,
        staff=staff, statement=statement, rules=sandbox.autopay.rules,
        wallet=ledger.wallet(sandbox.db, statement["account_number"]), errors=errors,
        values=values, submission=secrets.token_urlsafe(18), max_reference=MAX_REFERENCE_LENGTH,
    )  # fmt: skip


def _render_edit(
    request: Request, sandbox: PatientcoSandbox, staff: StaffSession, plan: sqlite3.Row,
    errors: list[str], values: dict[str, str],
) -> Response:  # fmt: skip
    return sandbox.render(
        request, "plan_edit.html", status_code=UNPROCESSABLE if errors else 200, staff=staff,
        plan=plan_view(sandbox.db, sandbox.autopay, plan), rules=sandbox.autopay.rules,
        wallet=ledger.wallet(sandbox.db, plan["owner"]), errors=errors, values=values,
    )  # fmt: skip
