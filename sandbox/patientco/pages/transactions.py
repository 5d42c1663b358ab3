"""The transactions journal (searchable by reference), voids and refunds."""

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
# One void or refund at a time: the check of what is left and the insert are not one
# database transaction (the processor is called between them), so two concurrent refunds
# could otherwise both pass the check.
_REVERSALS = asyncio.Lock()


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
    return _render_void(request, sandbox, staff, payment, [], {})


@router.post("/transactions/{transaction_id}/void")
async def void_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.VOID))],
    transaction_id: str,
    reason: Annotated[str, Form()] = "",
    memo: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        return DroppedConnection(sandbox.connections)
    values = {"reason": reason, "memo": memo}
    async with _REVERSALS:
        payment = _payment(sandbox, transaction_id)
        errors = _reason_errors(reason, memo)
        if not transactions.voidable(sandbox.db, payment, settlement.today(sandbox.db)):
            errors.insert(0, "Only a same-day payment in the open batch can be voided. Issue a "
                          "refund once it has settled.")  # fmt: skip
            return _render_void(request, sandbox, staff, payment, errors, values, CONFLICT)
        if errors:
            return _render_void(request, sandbox, staff, payment, errors, values, UNPROCESSABLE)
        try:
            await sandbox.processor.refund(payment["charge_id"], payment["amount_cents"],
                                           f"patientco-void:{transaction_id}")  # fmt: skip
        except httpx.HTTPError:
            return _render_void(request, sandbox, staff, payment, [PROCESSOR_DOWN], values,
                                BAD_GATEWAY)  # fmt: skip
        transactions.void(sandbox.db, transaction_id, reason_code=reason, memo=memo.strip(),
                          staff_username=staff.username)  # fmt: skip
    return await _answer_reversal(sandbox, f"/transactions/{transaction_id}?voided=1")


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
    memo: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        return DroppedConnection(sandbox.connections)
    values = {"amount": amount, "reason": reason, "memo": memo}
    async with _REVERSALS:
        payment = _payment(sandbox, transaction_id)
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
        errors += _reason_errors(reason, memo)
        if errors or cents is None:
            return _render_refund(request, sandbox, staff, payment, errors, values,
                                  UNPROCESSABLE)  # fmt: skip
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
            memo=memo.strip(),
        )  # fmt: skip
    return await _answer_reversal(sandbox, f"/transactions/{transaction_id}?refunded=1")


def _payment(sandbox: PatientcoSandbox, transaction_id: str) -> sqlite3.Row:
    payment = transactions.payment(sandbox.db, transaction_id)
    if payment is None:
        raise NotFound("Transaction not found")
    return payment


def _reason_errors(reason: str, memo: str) -> list[str]:
    errors = []
    if reason not in transactions.REFUND_REASONS:
        errors.append("Choose a reason code.")
    if len(memo.strip()) > transactions.MAX_MEMO_LENGTH:
        errors.append(f"The memo must be {transactions.MAX_MEMO_LENGTH} characters or fewer.")
    return errors


async def _answer_reversal(sandbox: PatientcoSandbox, location: str) -> Response:
    """The money went back: answer, unless a test holds or drops the answer."""
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: reversal recorded, dropping the connection")
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(location, status_code=303)


def _render_void(
    request: Request,
    sandbox: PatientcoSandbox,
    staff: StaffSession,
    payment: sqlite3.Row,
    errors: list[str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    return sandbox.render(
        request, "void.html", status_code, staff=staff, payment=payment, errors=errors,
        values=values, reasons=transactions.REFUND_REASONS,
        max_memo=transactions.MAX_MEMO_LENGTH,
    )  # fmt: skip


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
        max_memo=transactions.MAX_MEMO_LENGTH,
    )  # fmt: skip
