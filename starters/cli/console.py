"""What the CLI and the demo show a person: steps, results and errors, one line each."""

from __future__ import annotations

import sys
from typing import Protocol

from models.deposits import EstimateDepositResult
from models.payments import PostPaymentResult


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


def show_deposit(result: EstimateDepositResult) -> None:
    deposit, estimate = result.deposit, result.estimate
    if result.already_collected:
        say("  (the portal already held this deposit: found by reference, not paid again)")
    covered = sum(line.expected_charge.amount_cents for line in estimate.lines) - sum(
        line.patient_responsibility.amount_cents for line in estimate.lines
    )
    codes = ", ".join(f"{line.code} ({line.code_system})" for line in estimate.lines)
    say(f"Estimate            : {estimate.identifier}, procedures {codes}")
    say(f"Your responsibility : {estimate.patient_responsibility} (coverage expected: "
        f"{covered / 100:.2f} {estimate.deposit_due.currency})")  # fmt: skip
    say(f"Deposit             : {deposit.deposit_id}, {deposit.amount} on {deposit.collected_on}")
    say(f"Client reference    : {deposit.reference}")
    say(f"Applied to          : statement {result.statement_id}, visit {result.encounter_id}")
    say(f"Amount applied      : {result.amount_applied} on {deposit.applied_on}")
