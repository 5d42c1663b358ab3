"""Paying a statement, the confirmation page, receipts and the payment history."""

from __future__ import annotations

import logging
import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import charging, ledger
from sandbox.cedar.auth import SessionInfo
from sandbox.cedar.faults import Step
from sandbox.cedar.formatting import parse_amount
from sandbox.cedar.pages.guards import NotFound, patient_page
from sandbox.cedar.receipts import receipt_filename, render_receipt
from sandbox.cedar.state import CedarSandbox, SandboxDep
from sandbox.common.connection_drop import DroppedConnection
from sandbox.processor.client import ChargeStatus

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_REFERENCE_LENGTH = 120
EXCEEDS_BALANCE = "Amount cannot exceed the balance due."
UNKNOWN_CARD = "That payment method is not on file. Choose one of your saved payment methods."
PAYMENT_REQUIRED = 402


@router.get("/statements/{statement_id}/pay")
async def pay_form(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PAY_FORM))],
    statement_id: str,
) -> Response:
    statement = _own_statement(sandbox, statement_id, patient)
    return _render_form(request, sandbox, patient, statement, errors=[], values={})


@router.post("/statements/{statement_id}/pay")
async def pay_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.PAY_SUBMIT))],
    statement_id: str,
    amount_option: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    payment_method: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    checkout_id: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a pay submission during the simulated restart")
        return DroppedConnection(sandbox.connections)
    statement = _own_statement(sandbox, statement_id, patient)
    values = {"amount_option": amount_option, "amount": amount,
              "payment_method": payment_method, "reference": reference}  # fmt: skip
    errors: list[str] = []
    if amount_option == "full":
        amount_cents: int | None = statement["balance_cents"]
    elif amount_option == "other":
        amount_cents = parse_amount(amount)
        if amount_cents is None:
            errors.append("Enter a valid amount, for example 25.00.")
    else:
        amount_cents = None
        errors.append("Choose how much to pay.")
    if amount_cents is not None:
        if amount_cents <= 0:
            errors.append("Amount must be greater than $0.00.")
        elif amount_cents > statement["balance_cents"]:
            errors.append(EXCEEDS_BALANCE)
    tokens = {card["token"] for card in ledger.cards(sandbox.db, patient.username)}
    if not payment_method:
        errors.append("Choose a payment method.")
    elif payment_method not in tokens:
        errors.append(UNKNOWN_CARD)
    if len(reference.strip()) > MAX_REFERENCE_LENGTH:
        errors.append(f"Reference must be {MAX_REFERENCE_LENGTH} characters or fewer.")
    if errors or amount_cents is None:
        return _render_form(request, sandbox, patient, statement, errors, values, 422)

    # A form posted without its checkout id (scripts, old pages) is always a new attempt.
    key = charging.idempotency_key(
        checkout_id or charging.new_checkout_id(), payment_method, amount_cents
    )
    result = await charging.charge(sandbox.processor, payment_method, amount_cents, key)
    if result.status is ChargeStatus.INVALID_TOKEN:
        return _render_form(request, sandbox, patient, statement, [UNKNOWN_CARD], values, 422)
    if result.status is not ChargeStatus.SUCCEEDED or result.charge_id is None:
        logger.info("Charge declined (%s): nothing recorded", result.decline_code)
        return _render_form(
            request, sandbox, patient, statement, [charging.decline_message(result)], values,
            PAYMENT_REQUIRED,
        )  # fmt: skip
    already = ledger.confirmation_for_charge(sandbox.db, result.charge_id)
    if already is not None:  # the same form submitted twice: one charge, one payment
        return RedirectResponse(f"/payments/{already}", status_code=303)
    confirmation = ledger.record_payment(
        sandbox.db, statement_id=statement_id, username=patient.username,
        amount_cents=amount_cents, reference=reference.strip(), card_token=payment_method,
        charge_id=result.charge_id,
    )  # fmt: skip
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info(
            "crash_after_submit: payment %s recorded, dropping the connection", confirmation
        )
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(f"/payments/{confirmation}", status_code=303)


@router.get("/payments/{confirmation}")
async def confirmation_page(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.CONFIRMATION))],
    confirmation: str,
) -> Response:
    payment = ledger.payment(sandbox.db, confirmation, patient.username)
    if payment is None:
        raise NotFound("payment")
    return sandbox.render(
        request, "confirmation.html", patient=patient, payment=payment,
        balance_after_cents=ledger.balance_after(sandbox.db, confirmation),
    )  # fmt: skip


@router.get("/payments/{confirmation}/receipt.pdf")
async def receipt(
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.RECEIPT))],
    confirmation: str,
) -> Response:
    payment = ledger.payment(sandbox.db, confirmation, patient.username)
    if payment is None:
        raise NotFound("payment")
    disposition = f'attachment; filename="{receipt_filename(confirmation)}"'
    return Response(
        render_receipt(payment),
        media_type="application/pdf",
        headers={"Content-Disposition": disposition},
    )


@router.get("/payments")
async def history(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[SessionInfo, Depends(patient_page(Step.HISTORY))],
    reference: str | None = None,
) -> Response:
    wanted = reference.strip() if reference and reference.strip() else None
    rows = ledger.payments(sandbox.db, username=patient.username, reference=wanted)
    return sandbox.render(
        request, "history.html", patient=patient, payments=list(reversed(rows)),
        reference=wanted or "",
    )  # fmt: skip


def _own_statement(sandbox: CedarSandbox, statement_id: str, patient: SessionInfo) -> sqlite3.Row:
    statement = ledger.statement(sandbox.db, statement_id, patient.username)
    if statement is None:
        raise NotFound("statement")
    return statement


def _render_form(
    request: Request,
    sandbox: CedarSandbox,
    patient: SessionInfo,
    statement: sqlite3.Row,
    errors: list[str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    return sandbox.render(
        request, "pay.html", status_code=status_code, patient=patient, statement=statement,
        cards=ledger.cards(sandbox.db, patient.username), errors=errors, values=values,
        checkout_id=charging.new_checkout_id(),
    )  # fmt: skip
