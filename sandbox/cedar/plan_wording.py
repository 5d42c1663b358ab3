"""How Cedar words its payment plans: statuses, refusals, and one plan as its pages show it."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.cedar import ledger
from sandbox.common.autopay import Autopay, Refusal

PLAN_STATUS_LABELS = {"active": "Active", "paused": "Paused", "delinquent": "Past due",
                      "cancelled": "Cancelled", "paid_off": "Paid off"}  # fmt: skip
INSTALLMENT_STATUS_LABELS = {"scheduled": "Scheduled", "drafted": "Paid",
                             "failed": "Payment failed", "skipped": "Skipped"}  # fmt: skip
REFUSALS = {
    Refusal.BALANCE_TOO_SMALL: "This statement's balance is below the minimum for a payment plan.",
    Refusal.INSTALLMENT_TOO_SMALL: "Monthly payment is below the minimum monthly payment.",
    Refusal.INSTALLMENT_COVERS_BALANCE: (
        "Monthly payment must be less than the balance due. To pay in full, make a one-time "
        "payment."
    ),
    Refusal.TERM_TOO_LONG: (
        "That plan would run longer than the longest plan offered. Choose a higher monthly payment."
    ),
    Refusal.PLAN_EXISTS: "This statement already has a payment plan.",
    Refusal.PLAN_NOT_OPEN: "This payment plan has ended and can no longer be changed.",
    Refusal.NOTHING_TO_RESCHEDULE: (
        "Every remaining payment has already been attempted: the monthly payment cannot change."
    ),
}


def plan_view(db: sqlite3.Connection, autopay: Autopay, plan: sqlite3.Row) -> dict[str, Any]:
    """The plan with its labels, card, remaining balance, next payment and installments."""
    card = next((c for c in ledger.cards(db, plan["owner"]) if c["token"] == plan["token"]), None)
    next_draft = autopay.next_draft(plan["plan_id"])
    return {
        **dict(plan),
        "status_label": PLAN_STATUS_LABELS[plan["status"]],
        "is_open": plan["status"] in ("active", "paused"),
        "can_cancel": plan["status"] in ("active", "paused", "delinquent"),
        "paid_with": f"{card['brand']} ending in {card['last4']}" if card else "—",
        "remaining_cents": autopay.remaining_cents(plan["plan_id"]),
        "next_draft": next_draft,
        "installments": [
            {**dict(row), "status_label": INSTALLMENT_STATUS_LABELS[row["status"]]}
            for row in autopay.installments(plan["plan_id"])
        ],
    }
