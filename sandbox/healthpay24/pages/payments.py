"""Receipts (page and PDF) and the payment activity, searchable by payment note."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.healthpay24 import ledger, refunds
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.documents import receipt_filename, render_receipt
from sandbox.healthpay24.pages.guards import NotFound, patient_page
from sandbox.healthpay24.pages.refunds import reversal_facts
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step

router = APIRouter(prefix="/portal")


@router.get("/receipts/{confirmation}")
async def receipt(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.RECEIPT))],
    confirmation: str,
) -> Response:
    payment = _own_payment(sandbox, confirmation, patient)
    return sandbox.render(request, "receipt.html", patient=patient, payment=payment,
                          balance_after_cents=ledger.balance_after(sandbox.db, confirmation),
                          **reversal_facts(sandbox, payment))  # fmt: skip


@router.get("/receipts/{confirmation}/pdf")
async def receipt_pdf(
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.RECEIPT_PDF))],
    confirmation: str,
) -> Response:
    payment = _own_payment(sandbox, confirmation, patient)
    disposition = f'attachment; filename="{receipt_filename(confirmation)}"'
    return Response(
        render_receipt(payment),
        media_type="application/pdf",
        headers={"Content-Disposition": disposition},
    )


@router.get("/payment-activity")
async def activity(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.HISTORY))],
    note: str | None = None,
) -> Response:
    wanted = note.strip() if note and note.strip() else None
    rows = ledger.payments(sandbox.db, username=patient.username, note_contains=wanted)
    return sandbox.render(
        request, "activity.html", patient=patient, payments=list(reversed(rows)),
        note=wanted or "",
        reversals=list(reversed(refunds.search(sandbox.db, username=patient.username,
                                               note_contains=wanted))),
    )  # fmt: skip


def _own_payment(sandbox: HealthPay24Sandbox, confirmation: str, patient: Patient) -> sqlite3.Row:
    payment = ledger.payment(sandbox.db, confirmation, patient.username)
    if payment is None:
        raise NotFound("receipt")
    return payment
