"""What HealthPay24's plan pages show of an autopay plan, and how it words the engine's
refusals (``sandbox.common.autopay.Refusal``)."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.common.autopay import Autopay
from sandbox.common.autopay_rules import PlanRules, Refusal
from sandbox.common.autopay_status import InstallmentStatus
from sandbox.healthpay24.formatting import money
from sandbox.healthpay24.records import method_label
from sandbox.processor import tokens

PLAN_STATUS_LABELS = {"active": "Active", "paused": "Paused", "delinquent": "Delinquent",
                      "cancelled": "Cancelled", "paid_off": "Paid off"}  # fmt: skip
INSTALLMENT_STATUS_LABELS = {
    InstallmentStatus.SCHEDULED: "Scheduled",
    InstallmentStatus.DRAFTED: "Paid",
    InstallmentStatus.FAILED: "Declined",
    InstallmentStatus.SKIPPED: "Skipped",
}


def token_label(token: str) -> str:
    instrument = tokens.read(token)
    if instrument is None:
        return "Unknown payment method"
    return method_label(instrument.brand, instrument.last4, instrument.kind.value)


def smallest_installment_cents(rules: PlanRules, balance_cents: int) -> int:
    return max(rules.min_installment_cents, -(-balance_cents // rules.max_term_months))


def plan_view(autopay: Autopay, plan: sqlite3.Row) -> dict[str, Any]:
    plan_id = plan["plan_id"]
    installments = autopay.installments(plan_id)
    failed = [row for row in installments if row["status"] == InstallmentStatus.FAILED]
    next_draft = autopay.next_draft(plan_id)
    return {
        "plan_id": plan_id,
        "statement_id": plan["statement_id"],
        "note": plan["reference"],
        "status": plan["status"],
        "status_label": PLAN_STATUS_LABELS[plan["status"]],
        "installment_cents": plan["installment_cents"],
        "token": plan["token"],
        "method": token_label(plan["token"]),
        "remaining_cents": autopay.remaining_cents(plan_id),
        "next_draft_date": next_draft.on if next_draft else None,
        "failed_number": failed[-1]["number"] if failed else None,
        "failed_attempts": failed[-1]["attempts"] if failed else 0,
        "installments": [
            {
                "number": row["number"],
                "due_date": row["due_on"],
                "amount_cents": row["amount_cents"],
                "status_label": INSTALLMENT_STATUS_LABELS[InstallmentStatus(row["status"])],
                "attempts": row["attempts"],
                "confirmation": row["confirmation_number"],
            }
            for row in installments
        ],
    }


def refusal_messages(refusals: list[Refusal], rules: PlanRules, balance_cents: int) -> list[str]:
    """HealthPay24's sentences for what the engine refused, in its order."""
    smallest = money(smallest_installment_cents(rules, balance_cents))
    sentences = {
        Refusal.BALANCE_TOO_SMALL: "A payment plan needs an amount due of at least "
        f"{money(rules.min_balance_cents)}. This statement is not eligible.",
        Refusal.INSTALLMENT_TOO_SMALL: "The monthly installment must be at least "
        f"{money(rules.min_installment_cents)}.",
        Refusal.INSTALLMENT_COVERS_BALANCE: "The monthly installment can't be more than the "
        f"amount due ({money(balance_cents)}); to pay it all, use Pay now.",
        Refusal.TERM_TOO_LONG: "At this installment the plan would run longer than "
        f"{rules.max_term_months} months: enter at least {smallest}.",
        Refusal.PLAN_EXISTS: "This statement already has a payment plan.",
        Refusal.PLAN_NOT_OPEN: "This plan has ended and can no longer be changed.",
        Refusal.NOTHING_TO_RESCHEDULE: "No scheduled installments are left to change: a "
        "declined installment keeps its amount until its retry.",
    }
    # A refusal HealthPay24 has no sentence for yet still answers (the adapter: PortalChanged).
    return [sentences.get(refusal, "We couldn't make that change.") for refusal in refusals]
