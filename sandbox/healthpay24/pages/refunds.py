"""Voiding and refunding an online payment from its receipt: a reason from HealthPay24's
list, a refund note, and (a refund) the amount; never more than what is left of it."""

from __future__ import annotations

import asyncio
import logging
import secrets
import sqlite3
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.connection_drop import DroppedConnection
from sandbox.healthpay24 import ledger, refunds, settlement
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.formatting import money, parse_amount
from sandbox.healthpay24.pages.guards import NotFound, patient_page
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/portal")

UNPROCESSABLE = 422
CONFLICT = 409
BAD_GATEWAY = 502
PROCESSOR_DOWN = "We couldn't reach the card processor. Please try again in a few minutes."
# The check of what is left and the recording are not one transaction (the processor is
# called between them): one reversal at a time, so two at once cannot both pass the check.
_REVERSALS = asyncio.Lock()
_Form = Annotated[str, Form()]


@router.get("/receipts/{confirmation}/void")
async def void_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.REFUND))],
    confirmation: str,
) -> Response:
    payment = _own_payment(sandbox, confirmation, patient)
    return _form(request, sandbox, patient, payment, refunds.VOID, {}, [])


@router.get("/receipts/{confirmation}/refund")
async def refund_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.REFUND))],
    confirmation: str,
) -> Response:
    payment = _own_payment(sandbox, confirmation, patient)
    return _form(request, sandbox, patient, payment, refunds.REFUND, {}, [])


@router.post("/receipts/{confirmation}/{kind}")
async def submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.REFUND))],
    confirmation: str,
    kind: str,
    reason: _Form = "",
    refund_note: _Form = "",
    refund_amount: _Form = "",
) -> Response:
    if kind not in (refunds.VOID, refunds.REFUND):
        raise NotFound("page")
    if sandbox.faults.restarting():
        return DroppedConnection(sandbox.connections)
    values = {"reason": reason, "refund_note": refund_note, "refund_amount": refund_amount}
    async with _REVERSALS:
        payment = _own_payment(sandbox, confirmation, patient)
        left = refunds.remaining_cents(sandbox.db, payment)
        errors: list[str] = []
        status_code = UNPROCESSABLE
        if kind == refunds.VOID:
            cents: int | None = left
            if not refunds.can_void(sandbox.db, payment):
                errors.append("This payment has already settled and can no longer be voided. "
                              "Submit a refund instead.")  # fmt: skip
                status_code = CONFLICT
        else:
            cents = parse_amount(refund_amount)
            if not refunds.can_refund(sandbox.db, payment):
                errors.append("This payment can't be refunded: it hasn't settled yet (void it "
                              "instead), or nothing is left to refund.")  # fmt: skip
                status_code = CONFLICT
            elif cents is None or cents <= 0:
                errors.append("Enter a refund amount, for example 10.00.")
            elif cents > left:
                errors.append("The refund amount can't be more than the remaining refundable "
                              f"amount ({money(left)}).")  # fmt: skip
        if reason not in refunds.REASONS:
            errors.append("Select a reason for the reversal.")
        if len(refund_note.strip()) > refunds.MAX_NOTE_LENGTH:
            errors.append(f"The refund note can be at most {refunds.MAX_NOTE_LENGTH} characters.")
        if errors or cents is None:
            return _form(request, sandbox, patient, payment, kind, values, errors, status_code)
        try:
            processor_refund = await sandbox.processor.refund(
                payment["charge_id"], cents, f"healthpay24-{kind}:{secrets.token_urlsafe(12)}"
            )
        except httpx.HTTPError:
            return _form(request, sandbox, patient, payment, kind, values, [PROCESSOR_DOWN],
                         BAD_GATEWAY)  # fmt: skip
        number = refunds.record(
            sandbox.db, payment, kind=kind, amount_cents=cents, reason_code=reason,
            note=refund_note.strip(), processor_refund_id=processor_refund,
        )  # fmt: skip
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: %s %s recorded, dropping", kind, number)
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(f"/portal/receipts/{confirmation}?reversed={number}", status_code=303)


def reversal_facts(sandbox: HealthPay24Sandbox, payment: sqlite3.Row) -> dict[str, object]:
    """What the receipt page shows of the payment's reversals (also used by its route)."""
    db = sandbox.db
    settled = settlement.is_settled(db, payment["created_at"])
    batch = settlement.batch_for(payment["created_at"])
    return {
        "payment_status": refunds.status(db, payment),
        "settlement": f"Settled in batch {batch.batch_id}" if settled else (
            f"Pending: settles at the {settlement.CUTOFF.at:%H:%M} UTC cutoff"),
        "remaining_cents": refunds.remaining_cents(db, payment),
        "can_void": refunds.can_void(db, payment),
        "can_refund": refunds.can_refund(db, payment),
        "reversals": refunds.of_payment(db, payment["confirmation_number"]),
        "reasons": refunds.REASONS,
    }  # fmt: skip


def _form(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    payment: sqlite3.Row,
    kind: str,
    values: dict[str, str],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    return sandbox.render(
        request, "reversal.html", status_code, patient=patient, payment=payment, kind=kind,
        values=values, errors=errors, max_note=refunds.MAX_NOTE_LENGTH,
        **reversal_facts(sandbox, payment),
    )  # fmt: skip


def _own_payment(sandbox: HealthPay24Sandbox, confirmation: str, patient: Patient) -> sqlite3.Row:
    payment = ledger.payment(sandbox.db, confirmation, patient.username)
    if payment is None:
        raise NotFound("receipt")
    return payment
