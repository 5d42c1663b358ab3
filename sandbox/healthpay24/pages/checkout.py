"""Checkout in three steps: amount and payment note, payment method (the processor's hosted
fields in an iframe), review and submit. The card or bank details never reach this server:
the iframe hands the page a token, and the final submit charges that token."""

from __future__ import annotations

import logging
import sqlite3
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.connection_drop import DroppedConnection
from sandbox.healthpay24 import ledger, records
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.formatting import money, parse_amount, plain_amount
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
DECLINED = "Payment declined by your card issuer. Choose another payment method."
INSUFFICIENT_FUNDS = "Insufficient funds. Choose another payment method."
UNUSABLE_METHOD = "We couldn't use that payment method. Choose another one."
NO_METHOD = 'Choose a payment method, then select "Use this payment method".'
NOT_AUTHORIZED = "Check the box to authorize this payment."

CheckoutPage = Annotated[Patient, Depends(patient_page(Step.CHECKOUT))]


@router.get("/statements/{statement_id}/pay")
async def start(sandbox: SandboxDep, patient: CheckoutPage, statement_id: str) -> Response:
    if records.statement(sandbox.db, statement_id, patient.username) is None:
        raise NotFound("statement")
    checkout_id = ledger.open_checkout(sandbox.db, patient.username, statement_id)
    return _to(checkout_id, "amount")


@router.get("/checkout/{checkout_id}/amount")
async def amount_form(
    request: Request, sandbox: SandboxDep, patient: CheckoutPage, checkout_id: str
) -> Response:
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    values = {"amount_choice": "other" if checkout["amount_cents"] else "full",
              "other_amount": "", "payment_note": checkout["note"]}  # fmt: skip
    if checkout["amount_cents"]:
        values["other_amount"] = plain_amount(checkout["amount_cents"])
    return _amount_page(request, sandbox, patient, checkout, values, [])


@router.post("/checkout/{checkout_id}/amount")
async def amount_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: CheckoutPage,
    checkout_id: str,
    amount_choice: Annotated[str, Form()] = "",
    other_amount: Annotated[str, Form()] = "",
    payment_note: Annotated[str, Form()] = "",
) -> Response:
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    values = {"amount_choice": amount_choice, "other_amount": other_amount,
              "payment_note": payment_note}  # fmt: skip
    amount_cents, errors = _amount(checkout, amount_choice, other_amount)
    note = payment_note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        errors.append(f"Payment note can be up to {MAX_NOTE_LENGTH} characters.")
    if errors or amount_cents is None:
        return _amount_page(request, sandbox, patient, checkout, values, errors, UNPROCESSABLE)
    ledger.set_amount(sandbox.db, checkout_id, amount_cents, note)
    return _to(checkout_id, "method")


@router.get("/checkout/{checkout_id}/method")
async def method_form(
    request: Request, sandbox: SandboxDep, patient: CheckoutPage, checkout_id: str
) -> Response:
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    if checkout["amount_cents"] is None:
        return _to(checkout_id, "amount")
    return await _method_page(request, sandbox, patient, checkout)


@router.post("/checkout/{checkout_id}/method")
async def method_submit(
    request: Request,
    sandbox: SandboxDep,
    patient: CheckoutPage,
    checkout_id: str,
    payment_token: Annotated[str, Form()] = "",
) -> Response:
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    token = payment_token.strip()
    if not token:
        return await _method_page(request, sandbox, patient, checkout, NO_METHOD, UNPROCESSABLE)
    if tokens.read(token) is None:
        return await _method_page(
            request, sandbox, patient, checkout, UNUSABLE_METHOD, UNPROCESSABLE
        )
    ledger.set_method(sandbox.db, checkout_id, token)
    return _to(checkout_id, "review")


@router.get("/checkout/{checkout_id}/review")
async def review(
    request: Request, sandbox: SandboxDep, patient: CheckoutPage, checkout_id: str
) -> Response:
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    if checkout["amount_cents"] is None:
        return _to(checkout_id, "amount")
    if checkout["token"] is None:
        return _to(checkout_id, "method")
    return _review_page(request, sandbox, patient, checkout)


@router.post("/checkout/{checkout_id}/submit")
async def submit(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.PAY_SUBMIT))],
    checkout_id: str,
    authorize: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a submission during the simulated restart")
        return DroppedConnection(sandbox.connections)
    checkout = _own_checkout(sandbox, checkout_id, patient)
    if checkout["confirmation_number"]:
        return _to_receipt(checkout)
    if checkout["amount_cents"] is None or checkout["token"] is None:
        return _to(checkout_id, "amount" if checkout["amount_cents"] is None else "method")
    if not authorize:
        return _review_page(request, sandbox, patient, checkout, NOT_AUTHORIZED, UNPROCESSABLE)
    _, errors = _amount(checkout, "other", plain_amount(checkout["amount_cents"]))
    if errors:  # the balance changed since step 1 (another payment went through)
        values = {"amount_choice": "other", "other_amount": "", "payment_note": checkout["note"]}
        return _amount_page(request, sandbox, patient, checkout, values, errors, UNPROCESSABLE)
    token = checkout["token"]
    try:
        result = await sandbox.processor.charge(
            token, checkout["amount_cents"], idempotency_key=f"{checkout_id}:{token}"
        )
    except httpx.HTTPError as error:
        raise ProcessorUnavailable(f"charge failed: {error!r}") from error
    if result.status is ChargeStatus.SUCCEEDED:
        instrument = tokens.read(token)
        assert instrument is not None  # the processor just charged it
        charge = ledger.ApprovedCharge(
            charge_id=result.charge_id or "", token=token,
            brand=result.brand or instrument.brand, last4=result.last4 or instrument.last4,
            kind=result.kind or instrument.kind.value,
        )  # fmt: skip
        confirmation = ledger.record_payment(sandbox.db, checkout, charge)
        await sandbox.faults.hold_response()
        if sandbox.faults.take_crash():
            logger.info("crash_after_submit: payment %s recorded, dropping", confirmation)
            return DroppedConnection(sandbox.connections)
        return RedirectResponse(f"/portal/receipts/{confirmation}", status_code=303)
    ledger.set_method(sandbox.db, checkout_id, None)
    if result.status is ChargeStatus.DECLINED:
        insufficient = result.decline_code == "insufficient_funds"
        message = INSUFFICIENT_FUNDS if insufficient else DECLINED
        return await _method_page(request, sandbox, patient, checkout, message, PAYMENT_REQUIRED)
    return await _method_page(request, sandbox, patient, checkout, UNUSABLE_METHOD, UNPROCESSABLE)


def _amount(checkout: sqlite3.Row, choice: str, typed: str) -> tuple[int | None, list[str]]:
    balance = checkout["balance_cents"]
    if choice == "full":
        amount: int | None = balance
    elif choice == "other":
        amount = parse_amount(typed)
        if amount is None:
            return None, ["Enter a payment amount, for example 25.00."]
    else:
        return None, ["Choose how much to pay."]
    if amount is None or amount <= 0:
        return amount, ["The payment amount must be at least USD 0.01."]
    if amount > balance:
        return amount, [f"The payment amount can't be more than the amount due ({money(balance)})."]
    return amount, []


def _own_checkout(sandbox: HealthPay24Sandbox, checkout_id: str, patient: Patient) -> sqlite3.Row:
    checkout = ledger.checkout(sandbox.db, checkout_id, patient.username)
    if checkout is None:
        raise NotFound("checkout")
    return checkout


def _to(checkout_id: str, step: str) -> Response:
    return RedirectResponse(f"/portal/checkout/{checkout_id}/{step}", status_code=303)


def _to_receipt(checkout: sqlite3.Row) -> Response:
    return RedirectResponse(f"/portal/receipts/{checkout['confirmation_number']}", status_code=303)


def _statement(sandbox: HealthPay24Sandbox, checkout: sqlite3.Row) -> sqlite3.Row:
    row = records.statement(sandbox.db, checkout["statement_id"], None)
    assert row is not None  # a checkout always names an existing statement
    return row


def _amount_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    checkout: sqlite3.Row,
    values: dict[str, str],
    errors: list[str],
    status_code: int = 200,
) -> Response:
    return sandbox.render(
        request, "checkout_amount.html", status_code, patient=patient, checkout=checkout,
        statement=_statement(sandbox, checkout), values=values, errors=errors,
        max_note=MAX_NOTE_LENGTH,
    )  # fmt: skip


async def _method_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    checkout: sqlite3.Row,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    saved = [row["token"] for row in records.wallet(sandbox.db, patient.username)]
    parent_origin = f"{request.url.scheme}://{request.url.netloc}"
    hosted = await sandbox.processor.create_checkout_session(parent_origin, saved)
    return sandbox.render(
        request, "checkout_method.html", status_code, patient=patient, checkout=checkout,
        statement=_statement(sandbox, checkout), hosted=hosted, error=error,
    )  # fmt: skip


def _review_page(
    request: Request,
    sandbox: HealthPay24Sandbox,
    patient: Patient,
    checkout: sqlite3.Row,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    instrument = tokens.read(checkout["token"])
    assert instrument is not None  # only readable tokens are kept (method_submit)
    method = records.method_label(instrument.brand, instrument.last4, instrument.kind.value)
    return sandbox.render(
        request, "checkout_review.html", status_code, patient=patient, checkout=checkout,
        statement=_statement(sandbox, checkout), method=method, error=error,
    )  # fmt: skip
