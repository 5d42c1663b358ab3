"""What the CLI and the demo show a person: steps, results and errors, one line each."""

from __future__ import annotations

import sys

from models.payments import PaymentProgress, PaymentStep, PostPaymentResult

_STEP_TEXT = {
    PaymentStep.VALIDATING: "validating the request",
    PaymentStep.AWAITING_SESSION: (
        "waiting for a signed-in portal session (a code to enter? billbridge mfa list)"
    ),
    PaymentStep.CHECKING_STATEMENT: "checking the statement",
    PaymentStep.POSTING_PAYMENT: "posting the payment (reconciling by reference first)",
    PaymentStep.DOWNLOADING_RECEIPT: "downloading and storing the receipt",
    PaymentStep.COMPLETED: "completed",
    PaymentStep.FAILED: "failed",
}


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def show_progress(progress: PaymentProgress) -> None:
    detail = f" ({progress.detail})" if progress.detail else ""
    say(f"  → {_STEP_TEXT[progress.step]}{detail}")


def show_payment(result: PostPaymentResult, ui_link: str | None = None) -> None:
    payment = result.payment
    if result.already_posted:
        say("  (the portal already held this payment: found by reference, not paid again)")
    say(f"Confirmation number : {payment.confirmation_number}")
    say(f"Amount paid         : {payment.amount} on statement {payment.statement_id}")
    say(f"Client reference    : {payment.reference}")
    say(f"Receipt stored at   : {result.receipt.location}")
    say(f"Receipt SHA-256     : {result.receipt.sha256}")
    say(f"New balance         : {result.balance_after}")
    if ui_link:
        say(f"Temporal UI         : {ui_link}")
