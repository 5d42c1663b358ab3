"""The transactions journal (searchable by reference), voids and refunds."""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.patientco import settlement, transactions
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.formatting import money, parse_amount
from sandbox.patientco.pages.guards import NotFound, staff_page
from sandbox.patientco.state import PatientcoSandbox, SandboxDep

logger = logging.getLogger(__name__)
router = APIRouter()

UNPROCESSABLE = 422
BAD_GATEWAY = 502
CONFLICT = 409
PROCESSOR_DOWN = "The payment processor is unavailable. Try again shortly."


@router.get("/transactions")
async def journal(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.TRANSACTIONS))],
    reference: str = "",
) -> Response:
    rows = transactions.search(sandbox.db, reference)
    return sandbox.render(request, "transactions.html", staff=staff, rows=rows,
                          reference=reference.strip())  # fmt: skip


@router.get("/transactions/{transaction_id}/void")
async def void_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.VOID))],
    transaction_id: str,
) -> Response:
    payment = _payment(sandbox, transaction_id)
    return sandbox.render(request, "void.html", staff=staff, payment=payment, errors=[])


@router.post("/transactions/{transaction_id}/void")
async def void_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.VOID))],
    transaction_id: str,
) -> Response:
    payment = _payment(sandbox, transaction_id)
    if not transactions.voidable(sandbox.db, payment, settlement.today(sandbox.db)):
        errors = ["Only a same-day payment in the open batch can be voided. Issue a refund "
                  "once it has settled."]  # fmt: skip
        return sandbox.render(request, "void.html", CONFLICT, staff=staff, payment=payment,
                              errors=errors)  # fmt: skip
    try:
        await sandbox.processor.refund(payment["charge_id"], payment["amount_cents"],
                                       f"patientco-void:{transaction_id}")  # fmt: skip
    except httpx.HTTPError:
        return sandbox.render(request, "void.html", BAD_GATEWAY, staff=staff, payment=payment,
                              errors=[PROCESSOR_DOWN])  # fmt: skip
    transactions.void(sandbox.db, transaction_id)
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)


@router.get("/transactions/{transaction_id}/refund")
async def refund_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.REFUND))],
    transaction_id: str,
) -> Response:
    payment = _payment(sandbox, transaction_id)
    return _render_refund(request, sandbox, staff, payment, [], {})


@router.post("/transactions/{transaction_id}/refund")
async def refund_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.REFUND))],
    transaction_id: str,
    amount: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    payment = _payment(sandbox, transaction_id)
    values = {"amount": amount, "reason": reason}
    left = transactions.refundable_cents(sandbox.db, payment)
    cents = parse_amount(amount)
    errors = []
    if left <= 0:
        errors.append("This payment cannot be refunded: it is voided, fully refunded, or "
                      "not settled yet (void it instead).")  # fmt: skip
    elif cents is None or cents <= 0:
        errors.append("Enter a refund amount in US dollars, for example 10.00.")
    elif cents > left:
        errors.append(f"The refund cannot exceed {money(left)}.")
    if reason not in transactions.REFUND_REASONS:
        errors.append("Choose a reason code.")
    if errors or cents is None:
        return _render_refund(request, sandbox, staff, payment, errors, values, UNPROCESSABLE)
    try:
        processor_refund = await sandbox.processor.refund(
            payment["charge_id"], cents, f"patientco-refund:{secrets.token_urlsafe(12)}"
        )
    except httpx.HTTPError:
        return _render_refund(request, sandbox, staff, payment, [PROCESSOR_DOWN], values,
                              BAD_GATEWAY)  # fmt: skip
    transactions.refund(
        sandbox.db, transaction_id, amount_cents=cents, reason_code=reason,
        processor_refund_id=processor_refund, staff_username=staff.username,
    )  # fmt: skip
    return RedirectResponse(f"/transactions/{transaction_id}", status_code=303)


def _payment(sandbox: PatientcoSandbox, transaction_id: str) -> sqlite3.Row:
    payment = transactions.payment(sandbox.db, transaction_id)
    if payment is None:
        raise NotFound("Transaction not found")
    return payment


def _render_refund(
    request: Request,
    sandbox: PatientcoSandbox,
    staff: StaffSession,
    payment: sqlite3.Row,
    errors: list[str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    return sandbox.render(
        request, "refund.html", status_code, staff=staff, payment=payment, errors=errors,
        values=values, reasons=transactions.REFUND_REASONS,
        refundable_cents=transactions.refundable_cents(sandbox.db, payment),
    )  # fmt: skip
