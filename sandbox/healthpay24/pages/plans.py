"""Payment plans with autopay: a statement's plan offer and enrollment, the plans list, one
plan (installments and their drafts), pause and resume, change, cancel.

The plans themselves, their schedules and the drafting on the sandbox clock are the shared
autopay engine's (``sandbox.common.autopay``); these pages are HealthPay24's face on it.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.autopay_rules import PlanRefused, Refusal
from sandbox.common.autopay_status import OPEN_STATUSES, PlanStatus
from sandbox.common.connection_drop import DroppedConnection
from sandbox.healthpay24 import records
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.formatting import parse_amount, plain_amount
from sandbox.healthpay24.pages.guards import NotFound, patient_page
from sandbox.healthpay24.plan_views import (
    plan_view,
    refusal_messages,
    smallest_installment_cents,
)
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/portal")

MAX_NOTE_LENGTH = 120
UNPROCESSABLE = 422
CONFLICT = 409
NO_INSTALLMENT = "Enter a monthly installment, for example 50.00."
NO_METHOD = "Choose a payment method for autopay."
NOT_AUTHORIZED = "Check the box to authorize automatic drafts."
NOTE_TOO_LONG = f"Plan note can be up to {MAX_NOTE_LENGTH} characters."
NOTICES = {
    "paused": "Autopay is paused. Installments due while paused are moved to the end.",
    "resumed": "Autopay is on again.",
    "changed": "Your plan was updated.",
    "cancelled": "Your plan was cancelled. What you owe stays on the statement.",
    "enrolled": "You're enrolled. Autopay drafts each installment on its due date.",
}

PlanPage = Annotated[Patient, Depends(patient_page(Step.PLANS))]


@router.get("/statements/{statement_id}/payment-plan")
async def offer(
    request: Request, sandbox: SandboxDep, patient: PlanPage, statement_id: str
) -> Response:
    statement = _own_statement(sandbox, statement_id, patient)
    values = {"installment": "", "payment_token": "", "plan_note": ""}
    return _offer_page(request, sandbox, patient, statement, values, [])


@router.post("/statements/{statement_id}/payment-plan")
async def enroll(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.PLAN_SUBMIT))],
    statement_id: str,
    installment: Annotated[str, Form()] = "",
    payment_token: Annotated[str, Form()] = "",
    plan_note: Annotated[str, Form()] = "",
    authorize: Annotated[str, Form()] = "",
    submission_id: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping an enrollment during the simulated restart")
        return DroppedConnection(sandbox.connections)
    statement = _own_statement(sandbox, statement_id, patient)
    values = {"installment": installment, "payment_token": payment_token,
              "plan_note": plan_note}  # fmt: skip
    cents, errors = _form_errors(sandbox, patient, installment, payment_token)
    note = plan_note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors.append(NOTE_TOO_LONG)
    if not authorize:
        errors.append(NOT_AUTHORIZED)
    if errors or cents is None:
        return _offer_page(request, sandbox, patient, statement, values, errors, UNPROCESSABLE)
    try:
        plan_id = sandbox.autopay.enroll(
            statement_id=statement_id, owner=patient.username, token=payment_token.strip(),
            installment_cents=cents, reference=note, submission_id=submission_id or None,
        )  # fmt: skip
    except PlanRefused as refused:
        messages = refusal_messages(refused.refusals, sandbox.autopay.rules,
                                    statement["balance_cents"])  # fmt: skip
        return _offer_page(request, sandbox, patient, statement, values, messages, UNPROCESSABLE)
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: plan %s enrolled, dropping", plan_id)
        return DroppedConnection(sandbox.connections)
    return _to_plan(plan_id, "enrolled")


@router.get("/plans")
async def plan_list(request: Request, sandbox: SandboxDep, patient: PlanPage) -> Response:
    autopay = sandbox.autopay
    plans = [plan_view(autopay, row) for row in autopay.plans(owner=patient.username)]
    return sandbox.render(request, "plans.html", patient=patient, plans=plans)


@router.get("/plans/{plan_id}")
async def plan_detail(
    request: Request, sandbox: SandboxDep, patient: PlanPage, plan_id: str, done: str = ""
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    return sandbox.render(
        request, "plan.html", patient=patient, plan=plan_view(sandbox.autopay, plan),
        notice=NOTICES.get(done),
    )  # fmt: skip


@router.post("/plans/{plan_id}/pause")
async def pause(request: Request, sandbox: SandboxDep, patient: PlanPage, plan_id: str) -> Response:
    return _act(request, sandbox, patient, plan_id, "paused")


@router.post("/plans/{plan_id}/resume")
async def resume(
    request: Request, sandbox: SandboxDep, patient: PlanPage, plan_id: str
) -> Response:
    return _act(request, sandbox, patient, plan_id, "resumed")


@router.post("/plans/{plan_id}/cancel")
async def cancel(
    request: Request, sandbox: SandboxDep, patient: PlanPage, plan_id: str
) -> Response:
    return _act(request, sandbox, patient, plan_id, "cancelled")


@router.get("/plans/{plan_id}/change")
async def change_form(
    request: Request, sandbox: SandboxDep, patient: PlanPage, plan_id: str
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    if plan["status"] not in OPEN_STATUSES:
        return _ended_page(request, sandbox, patient, plan)
    values = {"installment": plain_amount(plan["installment_cents"]),
              "payment_token": plan["token"]}  # fmt: skip
    return _change_page(request, sandbox, patient, plan, values, [])


@router.post("/plans/{plan_id}/change")
async def change_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: PlanPage,
    plan_id: str,
    installment: Annotated[str, Form()] = "",
    payment_token: Annotated[str, Form()] = "",
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    if plan["status"] not in OPEN_STATUSES:
        return _ended_page(request, sandbox, patient, plan)
    values = {"installment": installment, "payment_token": payment_token}
    cents, errors = _form_errors(sandbox, patient, installment, payment_token)
    if errors or cents is None:
        return _change_page(request, sandbox, patient, plan, values, errors, UNPROCESSABLE)
    new_cents = None if cents == plan["installment_cents"] else cents
    new_token = None if payment_token.strip() == plan["token"] else payment_token.strip()
    try:
        sandbox.autopay.change(plan_id, installment_cents=new_cents, token=new_token)
    except PlanRefused as refused:
        messages = refusal_messages(refused.refusals, sandbox.autopay.rules,
                                    sandbox.autopay.remaining_cents(plan_id))  # fmt: skip
        return _change_page(request, sandbox, patient, plan, values, messages, UNPROCESSABLE)
    return _to_plan(plan_id, "changed")


def _act(
    request: Request, sandbox: HealthPay24Sandbox, patient: Patient, plan_id: str, done: str
) -> Response:
    plan = _own_plan(sandbox, plan_id, patient)
    autopay = sandbox.autopay
    try:
        if done == "paused":
            autopay.pause(plan_id)
        elif done == "resumed":
            if plan["status"] != PlanStatus.PAUSED:
                raise PlanRefused([Refusal.PLAN_NOT_OPEN])
            autopay.resume(plan_id)
        else:
            autopay.cancel(plan_id)
    except PlanRefused:
        return _ended_page(request, sandbox, patient, plan)
    return _to_plan(plan_id, done)


def _form_errors(
    sandbox: HealthPay24Sandbox, patient: Patient, installment: str, token: str
) -> tuple[int | None, list[str]]:
    errors = []
    cents = parse_amount(installment)
    if cents is None or cents <= 0:
        errors.append(NO_INSTALLMENT)
    wallet = {row["token"] for row in records.wallet(sandbox.db, patient.username)}
    if token.strip() not in wallet:
        errors.append(NO_METHOD)
    return cents, errors


def _own_statement(sandbox: HealthPay24Sandbox, statement_id: str, patient: Patient) -> sqlite3.Row:
    row = records.statement(sandbox.db, statement_id, patient.username)
    if row is None:
        raise NotFound("statement")
    return row


def _own_plan(sandbox: HealthPay24Sandbox, plan_id: str, patient: Patient) -> sqlite3.Row:
    plan = sandbox.autopay.plan(plan_id)
    if plan is None or plan["owner"] != patient.username:
        raise NotFound("plan")
    return plan


def _to_plan(plan_id: str, done: str) -> Response:
    return RedirectResponse(f"/portal/plans/{plan_id}?done={done}", status_code=303)


def _offer_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    statement: sqlite3.Row,
    values: dict[str, str],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    autopay = sandbox.autopay
    existing = next(
        (row["plan_id"] for row in autopay.plans(statement_id=statement["statement_id"])
         if row["status"] in (*OPEN_STATUSES, PlanStatus.DELINQUENT)),
        None,
    )  # fmt: skip
    return sandbox.render(
        request, "plan_offer.html", status_code, patient=patient, statement=statement,
        rules=autopay.rules, existing=existing, values=values, errors=errors,
        methods=records.wallet(sandbox.db, patient.username), max_note=MAX_NOTE_LENGTH,
        smallest=smallest_installment_cents(autopay.rules, statement["balance_cents"]),
        submission_id=secrets.token_hex(8),
    )  # fmt: skip


def _change_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    plan: sqlite3.Row,
    values: dict[str, str],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    autopay = sandbox.autopay
    remaining = autopay.remaining_cents(plan["plan_id"])
    return sandbox.render(
        request, "plan_change.html", status_code, patient=patient,
        plan=plan_view(autopay, plan), values=values, errors=errors,
        methods=records.wallet(sandbox.db, patient.username),
        smallest=smallest_installment_cents(autopay.rules, remaining),
    )  # fmt: skip


def _ended_page(
    request: Request, sandbox: HealthPay24Sandbox, patient: Patient, plan: sqlite3.Row
) -> Response:
    view = plan_view(sandbox.autopay, plan)
    error = f"This plan is {view['status_label'].lower()}, so it can't be changed that way."
    return sandbox.render(request, "plan.html", CONFLICT, patient=patient, plan=view, error=error)
