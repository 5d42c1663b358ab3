"""Payment plans: the offer on a statement, enrollment with autopay, the plan, change, cancel.

The plan engine is the shared back office (``sandbox.common.autopay``); these pages are how
Cedar's patient sees it. Every page runs after the autopay catch-up, so what it shows is
autopay as of the sandbox's clock.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import ledger
from sandbox.cedar.auth import SessionInfo
from sandbox.cedar.faults import Step
from sandbox.cedar.formatting import parse_amount
from sandbox.cedar.pages.guards import NotFound, patient_page
from sandbox.cedar.plan_wording import REFUSALS, plan_view
from sandbox.cedar.state import CedarSandbox, SandboxDep
from sandbox.common.autopay import PlanRefused
from sandbox.common.connection_drop import DroppedConnection

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_REFERENCE_LENGTH = 120
UNPROCESSABLE = 422
UNKNOWN_CARD = "That payment method is not on file. Choose one of your saved payment methods."
NO_CONSENT = "Authorize automatic monthly payments to start the plan."


@router.get("/statements/{statement_id}/plan")
async def plan_offer(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_OFFER))],
    statement_id: str,
) -> Response:
    statement = _own_statement(sandbox, statement_id, patient)
    autopay = sandbox.autopay
    open_plans = [row for row in autopay.plans(statement_id=statement_id)
                  if row["status"] in ("active", "paused", "delinquent")]  # fmt: skip
    return sandbox.render(
        request, "plan_offer.html", patient=patient, statement=statement, rules=autopay.rules,
        eligible=statement["balance_cents"] >= autopay.rules.min_balance_cents,
        plan=open_plans[0] if open_plans else None,
    )  # fmt: skip


@router.get("/statements/{statement_id}/plan/enroll")
async def enrollment_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_FORM))],
    statement_id: str,
) -> Response:
    statement = _own_statement(sandbox, statement_id, patient)
    return _render_enrollment(request, sandbox, patient, statement, [], {})


@router.post("/statements/{statement_id}/plan/enroll")
async def enrollment_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_SUBMIT))],
    statement_id: str,
    installment: Annotated[str, Form()] = "",
    payment_method: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    autopay_consent: Annotated[str, Form()] = "",
    submission: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a plan enrollment during the restart")
        return DroppedConnection(sandbox.connections)
    statement = _own_statement(sandbox, statement_id, patient)
    values = {"installment": installment, "payment_method": payment_method,
              "reference": reference}  # fmt: skip
    errors = _form_errors(sandbox, patient, installment, payment_method)
    if len(reference.strip()) > MAX_REFERENCE_LENGTH:
        errors.append(f"Reference must be {MAX_REFERENCE_LENGTH} characters or fewer.")
    if not autopay_consent:
        errors.append(NO_CONSENT)
    cents = parse_amount(installment)
    if errors or cents is None:
        return _render_enrollment(request, sandbox, patient, statement, errors, values)
    try:
        plan_id = sandbox.autopay.enroll(
            statement_id=statement_id, owner=patient.username, token=payment_method,
            installment_cents=cents, reference=reference.strip(), submission_id=submission,
        )  # fmt: skip
    except PlanRefused as refused:
        errors = [REFUSALS[refusal] for refusal in refused.refusals]
        return _render_enrollment(request, sandbox, patient, statement, errors, values)
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: plan %s enrolled, dropping the connection", plan_id)
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(f"/plans/{plan_id}?enrolled=1", status_code=303)


@router.get("/plans")
async def plan_list(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLANS))],
    reference: str | None = None,
) -> Response:
    wanted = reference.strip() if reference and reference.strip() else None
    rows = sandbox.autopay.plans(owner=patient.username, reference=wanted)
    return sandbox.render(
        request, "plans.html", patient=patient, reference=wanted or "",
        plans=[plan_view(sandbox.db, sandbox.autopay, row) for row in rows],
    )  # fmt: skip


@router.get("/plans/{plan_id}")
async def plan_detail(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN))],
    plan_id: str,
    enrolled: int = 0,
    changed: int = 0,
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    return sandbox.render(
        request, "plan.html", patient=patient, enrolled=bool(enrolled), changed=bool(changed),
        plan=plan_view(sandbox.db, sandbox.autopay, plan),
    )  # fmt: skip


@router.get("/plans/{plan_id}/change")
async def change_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_CHANGE))],
    plan_id: str,
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    values = {"installment": f"{plan['installment_cents'] / 100:.2f}",
              "payment_method": plan["token"]}  # fmt: skip
    return _render_change(request, sandbox, patient, plan, [], values)


@router.post("/plans/{plan_id}/change")
async def change_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_CHANGE))],
    plan_id: str,
    installment: Annotated[str, Form()] = "",
    payment_method: Annotated[str, Form()] = "",
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    values = {"installment": installment, "payment_method": payment_method}
    errors = _form_errors(sandbox, patient, installment, payment_method)
    cents = parse_amount(installment)
    if errors or cents is None:
        return _render_change(request, sandbox, patient, plan, errors, values)
    try:
        sandbox.autopay.change(
            plan_id,
            installment_cents=None if cents == plan["installment_cents"] else cents,
            token=None if payment_method == plan["token"] else payment_method,
        )
    except PlanRefused as refused:
        errors = [REFUSALS[refusal] for refusal in refused.refusals]
        return _render_change(request, sandbox, patient, plan, errors, values)
    return RedirectResponse(f"/plans/{plan_id}?changed=1", status_code=303)


@router.get("/plans/{plan_id}/cancel")
async def cancel_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_CANCEL))],
    plan_id: str,
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    return sandbox.render(request, "plan_cancel.html", patient=patient,
                          plan=plan_view(sandbox.db, sandbox.autopay, plan))  # fmt: skip


@router.post("/plans/{plan_id}/cancel")
async def cancel_submit(
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PLAN_CANCEL))],
    plan_id: str,
) -> Response:
    _own_plan(sandbox, plan_id, patient)
    sandbox.autopay.cancel(plan_id)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


def _form_errors(
    sandbox: CedarSandbox, patient: SessionInfo, installment: str, payment_method: str
) -> list[str]:
    errors = []
    cents = parse_amount(installment)
    if cents is None:
        errors.append("Enter a valid monthly payment, for example 25.00.")
    elif cents <= 0:
        errors.append("Monthly payment must be greater than $0.00.")
    tokens = {card["token"] for card in ledger.cards(sandbox.db, patient.username)}
    if not payment_method:
        errors.append("Choose a payment method.")
    elif payment_method not in tokens:
        errors.append(UNKNOWN_CARD)
    return errors


def _own_statement(sandbox: CedarSandbox, statement_id: str, patient: SessionInfo) -> sqlite3.Row:
    statement = ledger.statement(sandbox.db, statement_id, patient.username)
    if statement is None:
        raise NotFound("statement")
    return statement


def _own_plan(sandbox: CedarSandbox, plan_id: str, patient: SessionInfo) -> sqlite3.Row:
    plan = sandbox.autopay.plan(plan_id)
    if plan is None or plan["owner"] != patient.username:
        raise NotFound("plan")
    return plan


def _render_enrollment(
    request: Request, sandbox: CedarSandbox, patient: SessionInfo, statement: sqlite3.Row,
    errors: list[str], values: dict[str, str],
) -> Response:  # fmt: skip
    return sandbox.render(
        request, "plan_enroll.html", status_code=UNPROCESSABLE if errors else 200,
        patient=patient, statement=statement, rules=sandbox.autopay.rules,
        cards=ledger.cards(sandbox.db, patient.username), errors=errors, values=values,
        submission=secrets.token_urlsafe(18),
    )  # fmt: skip


def _render_change(
    request: Request, sandbox: CedarSandbox, patient: SessionInfo, plan: sqlite3.Row,
    errors: list[str], values: dict[str, str],
) -> Response:  # fmt: skip
    return sandbox.render(
        request, "plan_change.html", status_code=UNPROCESSABLE if errors else 200,
        patient=patient, plan=plan_view(sandbox.db, sandbox.autopay, plan),
        cards=ledger.cards(sandbox.db, patient.username), errors=errors, values=values,
        rules=sandbox.autopay.rules,
    )  # fmt: skip
