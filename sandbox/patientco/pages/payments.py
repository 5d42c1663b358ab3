"""Posting a payment against an account or one of its statements, its page and receipt.

The charge goes to the processor first; only a succeeded charge is recorded. Each rendered
form carries a submission id: it is the processor's idempotency key, and a copy of a
submission that already posted shows that payment instead of charging again.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.connection_drop import DroppedConnection
from sandbox.patientco import ledger, settlement, transactions
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.formatting import money, parse_amount
from sandbox.patientco.pages.guards import NotFound, staff_page
from sandbox.patientco.receipts import receipt_filename, render_receipt
from sandbox.patientco.state import PatientcoSandbox, SandboxDep
from sandbox.processor.client import ChargeStatus

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_REFERENCE_LENGTH = 120
UNPROCESSABLE = 422
PAYMENT_REQUIRED = 402
BAD_GATEWAY = 502


@router.get("/accounts/{account_number}/post-payment")
async def payment_form(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PAY_FORM))],
    account_number: str,
    statement: str = "",
) -> Response:
    account = _account(sandbox, account_number)
    return _render_form(request, sandbox, staff, account, [], {"apply_to": statement})


@router.post("/accounts/{account_number}/post-payment")
async def payment_submit(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.PAY_SUBMIT))],
    account_number: str,
    apply_to: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    submission: Annotated[str, Form()] = "",
) -> Response:
    if sandbox.faults.restarting():
        logger.info("crash_after_submit: dropping a payment submission during the restart")
        return DroppedConnection(sandbox.connections)
    account = _account(sandbox, account_number)
    if submission and (earlier := transactions.by_submission(sandbox.db, submission)):
        return RedirectResponse(f"/transactions/{earlier}?posted=1", status_code=303)
    values = {"apply_to": apply_to, "method": method, "amount": amount, "reference": reference}
    errors: list[str] = []
    statement = ledger.statement(sandbox.db, apply_to) if apply_to else None
    if apply_to and (statement is None or statement["account_number"] != account_number):
        errors.append("Select a statement of this account, or the account balance.")
    balance = statement["balance_cents"] if statement else account["balance_cents"]
    cents = parse_amount(amount)
    if cents is None:
        errors.append("Enter the amount in US dollars, for example 25.00.")
    elif cents <= 0:
        errors.append("The amount must be more than USD 0.00.")
    elif cents > balance:
        where = f"statement {apply_to}" if statement else "the account"
        errors.append(f"The amount exceeds the open balance of {where} ({money(balance)}).")
    on_file = {row["token"]: row for row in ledger.wallet(sandbox.db, account_number)}
    if method not in on_file:
        errors.append("Select a payment method on file for this guarantor.")
    if len(reference.strip()) > MAX_REFERENCE_LENGTH:
        errors.append(f"The reference must be {MAX_REFERENCE_LENGTH} characters or fewer.")
    if errors or cents is None:
        return _render_form(request, sandbox, staff, account, errors, values, UNPROCESSABLE)

    submission = submission or secrets.token_urlsafe(18)
    try:
        charge = await sandbox.processor.charge(method, cents, f"patientco:{submission}")
    except httpx.HTTPError as error:
        logger.warning("processor unreachable: %s", type(error).__name__)
        return _render_form(request, sandbox, staff, account,
                            ["The payment processor is unavailable. Try again shortly."],
                            values, BAD_GATEWAY)  # fmt: skip
    if charge.status is not ChargeStatus.SUCCEEDED:
        code = charge.decline_code or "invalid_payment_method"
        declined = [f"Declined by processor: {code}"]
        return _render_form(request, sandbox, staff, account, declined, values, PAYMENT_REQUIRED)
    wallet_row = on_file[method]
    transaction_id = transactions.record_payment(
        sandbox.db,
        transactions.NewPayment(
            account_number=account_number, statement_id=apply_to or None,
            staff_username=staff.username, amount_cents=cents, reference=reference.strip(),
            token=method, method_kind=wallet_row["kind"], brand=wallet_row["brand"],
            last4=wallet_row["last4"], charge_id=charge.charge_id or "", submission_id=submission,
        ),
    )  # fmt: skip
    await sandbox.faults.hold_response()
    if sandbox.faults.take_crash():
        logger.info("crash_after_submit: payment %s recorded, dropping the connection",
                    transaction_id)  # fmt: skip
        return DroppedConnection(sandbox.connections)
    return RedirectResponse(f"/transactions/{transaction_id}?posted=1", status_code=303)


@router.get("/transactions/{transaction_id}")
async def payment_page(
    request: Request,
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.CONFIRMATION))],
    transaction_id: str,
    posted: int = 0,
) -> Response:
    payment = _payment(sandbox, transaction_id)
    return sandbox.render(
        request, "payment.html", staff=staff, payment=payment, posted=bool(posted),
        remaining_cents=_remaining_balance(sandbox, payment) if posted else None,
        status=transactions.status_label(payment),
        refunds=transactions.refunds_of(sandbox.db, transaction_id),
        reasons=transactions.REFUND_REASONS,
        voidable=transactions.voidable(sandbox.db, payment, settlement.today(sandbox.db)),
        refundable_cents=transactions.refundable_cents(sandbox.db, payment),
        net_paid_cents=transactions.net_paid_cents(payment),
        void=transactions.void_of(sandbox.db, transaction_id),
    )  # fmt: skip


@router.get("/transactions/{transaction_id}/receipt.pdf")
async def receipt(
    sandbox: SandboxDep,
    staff: Annotated[StaffSession, Depends(staff_page(Step.RECEIPT))],
    transaction_id: str,
) -> Response:
    payment = _payment(sandbox, transaction_id)
    disposition = f'attachment; filename="{receipt_filename(transaction_id)}"'
    return Response(render_receipt(payment, transactions.status_label(payment)),
                    media_type="application/pdf",
                    headers={"Content-Disposition": disposition})  # fmt: skip


def _account(sandbox: PatientcoSandbox, account_number: str) -> sqlite3.Row:
    account = ledger.account(sandbox.db, account_number)
    if account is None:
        raise NotFound("Account not found")
    return account


def _remaining_balance(sandbox: PatientcoSandbox, payment: sqlite3.Row) -> int | None:
    """What is left on the paid statement, for the confirmation right after posting only: on
    a later visit today's balance would no longer be the balance after this payment."""
    if payment["statement_id"] is None:
        return None
    statement = ledger.statement(sandbox.db, payment["statement_id"])
    return None if statement is None else int(statement["balance_cents"])


def _payment(sandbox: PatientcoSandbox, transaction_id: str) -> sqlite3.Row:
    payment = transactions.payment(sandbox.db, transaction_id)
    if payment is None:
        raise NotFound("Transaction not found")
    return payment


def _render_form(
    request: Request,
    sandbox: PatientcoSandbox,
    staff: StaffSession,
    account: sqlite3.Row,
    errors: list[str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    statements = [
        row for row in ledger.account_statements(sandbox.db, account["account_number"])
        if row["balance_cents"] > 0 or row["statement_id"] == values.get("apply_to")
    ]  # fmt: skip
    return sandbox.render(
        request, "post_payment.html", status_code=status_code, staff=staff, account=account,
        statements=statements, wallet=ledger.wallet(sandbox.db, account["account_number"]),
        errors=errors, values=values, submission=secrets.token_urlsafe(18),
        max_reference=MAX_REFERENCE_LENGTH,
    )  # fmt: skip
