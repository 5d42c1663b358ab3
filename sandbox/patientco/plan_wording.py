"""How the Patientco console words payment plans: statuses, refusals, one plan as shown."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.common.autopay import Autopay, Refusal
from sandbox.patientco import ledger

PLAN_STATUS_LABELS = {"active": "Active", "paused": "Paused", "delinquent": "Delinquent",
                      "cancelled": "Cancelled", "paid_off": "Paid in full"}  # fmt: skip
DRAFT_STATUS_LABELS = {"scheduled": "Scheduled", "drafted": "Drafted",
                       "failed": "Returned", "skipped": "Skipped"}  # fmt: skip
REFUSALS = {
    Refusal.BALANCE_TOO_SMALL: "The statement balance is under the plan minimum.",
    Refusal.INSTALLMENT_TOO_SMALL: "The installment is under the plan minimum installment.",
    Refusal.INSTALLMENT_COVERS_BALANCE: (
        "The installment covers the whole balance: post a payment instead."
    ),
    Refusal.TERM_TOO_LONG: "The plan exceeds the maximum term. Raise the installment amount.",
    Refusal.PLAN_EXISTS: "The statement is already on a payment plan.",
    Refusal.PLAN_NOT_OPEN: "The plan is closed and cannot be edited.",
    Refusal.NOTHING_TO_RESCHEDULE: "No scheduled drafts are left to re-amount.",
}


def method_label(row: sqlite3.Row | None) -> str:
    if row is None:
        return "—"
    return f"{'ACH ' if row['kind'] == 'ach' else ''}{row['brand']} x{row['last4']}"


def plan_view(db: sqlite3.Connection, autopay: Autopay, plan: sqlite3.Row) -> dict[str, Any]:
    """The plan with its labels, draft method, remaining balance, next draft and schedule."""
    wallet = {row["token"]: row for row in ledger.wallet(db, plan["owner"])}
    next_draft = autopay.next_draft(plan["plan_id"])
    return {
        **dict(plan),
        "status_label": PLAN_STATUS_LABELS[plan["status"]],
        "is_open": plan["status"] in ("active", "paused"),
        "can_cancel": plan["status"] in ("active", "paused", "delinquent"),
        "method": method_label(wallet.get(plan["token"])),
        "remaining_cents": autopay.remaining_cents(plan["plan_id"]),
        "next_draft": next_draft,
        "drafts": [
            {**dict(row), "status_label": DRAFT_STATUS_LABELS[row["status"]]}
            for row in autopay.installments(plan["plan_id"])
        ],
    }
