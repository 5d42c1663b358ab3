"""Deposits on estimates: the deposit form (the processor's hosted fields, a deposit note,
the authorization), the deposits list searchable by note, and one deposit's page showing
where it went. Every read first bills the encounters whose billing date has come."""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.connection_drop import DroppedConnection
from sandbox.healthpay24 import deposits, records
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.pages.guards import NotFound, patient_page
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step
from sandbox.processor import tokens
from sandbox.processor.client import ChargeStatus, ProcessorUnavailable

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/portal")

MAX_NOTE_LENGTH = 120
PAYMENT_REQUIRED = 402
UNPROCESSABLE = 422
CONFLICT = 409
DECLINED = "Payment declined by your card issuer. Choose another payment method."
INSUFFICIENT_FUNDS = "Insufficient funds. Choose another payment method."
UNUSABLE_METHOD = "We couldn't use that payment method. Choose another one."
NO_METHOD = 'Choose a payment method, then select "Use this payment method".'
NOT_AUTHORIZED = "Check the box to authorize this deposit."
NOTE_TOO_LONG = f"Deposit note can be up to {MAX_NOTE_LENGTH} characters."

DepositPage = Annotated[Patient, Depends(patient_page(Step.DEPOSIT))]


@router.get("/estimates/{estimate_id}/deposit")
async def deposit_form(
    request: Request, sandbox: SandboxDep, patient: DepositPage, estimate_id: str
) -> Response:
    estimate = _own_estimate(sandbox, estimate_id, patient)
    return await _form_page(request, sandbox, patient, estimate, secrets.token_hex(8))


@router.post("/estimates/{estimate_id}/deposit")
async def deposit_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.DEPOSIT_SUBMIT))],
    estimate_id: str,
    form_id: Annotated[str, Form()] = "",
    payment_token: Annotated[str, Form()] = "",
    deposit_note: Annotated[str, Form()] = "",
    authorize: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a deposit during the simulated restart")
        return DroppedConnection(sandbox.connections)
    estimate = _own_estimate(sandbox, estimate_id, patient)
    note, token = deposit_note.strip(), payment_token.strip()
    done = [row for row in deposits.deposits(sandbox.db, username=patient.username)
            if row["form_id"] == form_id]  # fmt: skip
    if done:  # the same form sent twice: its deposit, not a second one
        return _to_deposit(done[0]["deposit_id"])
    again = (request, sandbox, patient, estimate, form_id or secrets.token_hex(8))
    if estimate["status"] != "active":
        return await _form_page(*again, status_code=CONFLICT)
    error = _form_error(form_id, token, note, authorize)
    if error is not None:
        return await _form_page(*again, error=error, note=note, status_code=UNPROCESSABLE)
    try:
        result = await sandbox.processor.charge(
            token, estimate["deposit_cents"], idempotency_key=f"{form_id}:{token}"
        )
    except httpx.HTTPError as failure:
        raise ProcessorUnavailable(f"charge failed: {failure!r}") from failure
    if result.status is not ChargeStatus.SUCCEEDED:
        insufficient = result.decline_code == "insufficient_funds"
        declined = INSUFFICIENT_FUNDS if insufficient else DECLINED
        message = declined if result.status is ChargeStatus.DECLINED else UNUSABLE_METHOD
        code = PAYMENT_REQUIRED if result.status is ChargeStatus.DECLINED else UNPROCESSABLE
        return await _form_page(*again, error=message, note=note, status_code=code)
    instrument = tokens.read(token)
    assert instrument is not None  # the processor just charged it
    deposit_id = deposits.record(sandbox.db, deposits.CollectedDeposit(
        form_id=form_id, estimate_id=estimate_id, username=patient.username,
        amount_cents=estimate["deposit_cents"], note=note, token=token,
        brand=result.brand or instrument.brand, last4=result.last4 or instrument.last4,
        kind=result.kind or instrument.kind.value, charge_id=result.charge_id or "",
    ))  # fmt: skip
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: deposit %s recorded, dropping", deposit_id)
        return DroppedConnection(sandbox.connections)
    return _to_deposit(deposit_id)


@router.get("/deposits")
async def deposit_list(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.DEPOSITS))],
    note: str | None = None,
) -> Response:
    deposits.bill_due_encounters(sandbox.db)
    wanted = note.strip() if note and note.strip() else None
    rows = deposits.deposits(sandbox.db, username=patient.username, note_contains=wanted)
    shown = [{**dict(row), "status": deposits.status(row)} for row in reversed(rows)]
    return sandbox.render(
        request, "deposits.html", patient=patient, deposits=shown, note=wanted or ""
    )


@router.get("/deposits/{deposit_id}")
async def deposit_detail(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.DEPOSITS))],
    deposit_id: str,
) -> Response:
    deposits.bill_due_encounters(sandbox.db)
    row = deposits.deposit(sandbox.db, deposit_id, patient.username)
    if row is None:
        raise NotFound("deposit")
    return sandbox.render(
        request, "deposit.html", patient=patient, deposit=row, status=deposits.status(row),
        billing_date=deposits.billing_date(row["service_date"]),
    )  # fmt: skip


def _form_error(form_id: str, token: str, note: str, authorize: str) -> str | None:
    if not form_id:
        return UNUSABLE_METHOD
    if not token:
        return NO_METHOD
    if tokens.read(token) is None:
        return UNUSABLE_METHOD
    if len(note) > MAX_NOTE_LENGTH:
        return NOTE_TOO_LONG
    if not authorize:
        return NOT_AUTHORIZED
    return None


def _own_estimate(sandbox: HealthPay24Sandbox, estimate_id: str, patient: Patient) -> Any:
    for row in records.estimates(sandbox.db, patient.username):
        if row["estimate_id"] == estimate_id:
            return row
    raise NotFound("estimate")


def _to_deposit(deposit_id: str) -> Response:
    return RedirectResponse(f"/portal/deposits/{deposit_id}", status_code=303)


async def _form_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    estimate: Any,
    form_id: str,
    *,
    error: str | None = None,
    note: str = "",
    status_code: int = 200,
) -> Response:
    payable = estimate["status"] == "active"
    hosted = None
    if payable:
        saved = [row["token"] for row in records.wallet(sandbox.db, patient.username)]
        parent_origin = f"{request.url.scheme}://{request.url.netloc}"
        hosted = await sandbox.processor.create_checkout_session(parent_origin, saved)
    shown = {**dict(estimate), "status_label": records.ESTIMATE_STATUS_LABELS[estimate["status"]]}
    return sandbox.render(
        request, "deposit_form.html", status_code, patient=patient, estimate=shown,
        payable=payable, hosted=hosted, error=error, note=note, form_id=form_id,
        max_note=MAX_NOTE_LENGTH,
    )  # fmt: skip
