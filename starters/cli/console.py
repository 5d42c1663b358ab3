"""What the CLI and the demo show a person: steps, results and errors, one line each."""

from __future__ import annotations

import sys
from typing import Protocol

from models.payments import PostPaymentResult
from models.refunds import RefundResult


class Progress(Protocol):
    """Any workflow's progress model: it describes itself, so the console knows no steps."""

    def describe(self) -> str: ...


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def show_progress(progress: Progress) -> None:
    say(f"  → {progress.describe()}")


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


def show_refund(result: RefundResult) -> None:
    refund = result.refund
    if result.already_refunded:
        say("  (the portal already held this refund: found by reference, not given back again)")
    say(f"{refund.kind.value.capitalize():<20}: {refund.refund_id} on payment "
        f"{refund.confirmation_number}")  # fmt: skip
    say(f"Amount given back   : {refund.amount}")
    say(f"Client reference    : {refund.reference}")
    say(f"Net paid now        : {result.net_paid_after}")
