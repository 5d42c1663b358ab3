"""Autopay's drafting: every due draft and retry, run in date order as of its own date.

Each charge attempt is a row of ``autopay_charges`` keyed by (plan, installment, attempt) and
charged with an idempotency key of the same three, so a catch-up interrupted anywhere (the
charge made, the payment not yet recorded) and run again charges nothing twice: the
processor answers the key with its first result and the portal records a charge once.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from sandbox.common.autopay_schedule import add_months, months_between
from sandbox.common.autopay_status import InstallmentStatus, PlanStatus
from sandbox.common.sqlite import transaction
from sandbox.processor.client import ChargeResult, ChargeStatus

if TYPE_CHECKING:
    from sandbox.common.autopay import Autopay

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """A succeeded autopay charge the portal records as a payment in its ledger."""

    plan_id: str
    statement_id: str
    owner: str
    token: str
    number: int
    amount_cents: int
    charge_id: str
    idempotency_key: str

    @property
    def description(self) -> str:
        """What the ledger's reference/memo column shows for the draft."""
        return f"Autopay {self.plan_id} installment {self.number}"


class DraftLedger(Protocol):
    """The portal's side of a draft: its balances, its charging and its payments ledger."""

    def balance_cents(self, statement_id: str) -> int: ...

    async def charge(self, token: str, amount_cents: int, idempotency_key: str) -> ChargeResult:
        """Charge through the portal's processor; the same key answers with the first result."""

    def record_draft(self, draft: Draft) -> str:
        """Record the payment (once per ``draft.charge_id``) and return its confirmation."""


async def catch_up(autopay: Autopay, ledger: DraftLedger) -> int:
    """Run every draft and retry due by today, oldest first; how many charges it tried.

    A processor or ledger that fails stops the catch-up: the draft stays due and the next
    request tries it again, with the same idempotency key.
    """
    tried = 0
    today = autopay.today()
    while (due := _next_due(autopay.db, today)) is not None:
        if due["plan_status"] == PlanStatus.PAUSED:
            _skip_paused(autopay, due)
            continue
        try:
            tried += await _draft(autopay, ledger, due)
        except Exception as error:  # any failure: the portal must keep answering
            logger.warning("autopay draft postponed: %s", type(error).__name__)
            break
    return tried


def _next_due(db: sqlite3.Connection, today: date) -> sqlite3.Row | None:
    # A paused plan's retries wait for the resume; its due installments are skipped.
    row: sqlite3.Row | None = db.execute(
        "SELECT i.*, p.status AS plan_status, p.token, p.statement_id, p.owner, "
        "COALESCE(i.next_attempt_on, i.due_on) AS on_date "
        "FROM autopay_installments i JOIN autopay_plans p ON p.plan_id = i.plan_id "
        "WHERE (p.status = ? AND ((i.status = ? AND i.due_on <= ?) OR "
        "       (i.status = ? AND i.next_attempt_on <= ?))) "
        "   OR (p.status = ? AND i.status = ? AND i.due_on <= ?) "
        "ORDER BY on_date, i.plan_id, i.number LIMIT 1",
        (PlanStatus.ACTIVE, InstallmentStatus.SCHEDULED, today.isoformat(),
         InstallmentStatus.FAILED, today.isoformat(),
         PlanStatus.PAUSED, InstallmentStatus.SCHEDULED, today.isoformat()),
    ).fetchone()  # fmt: skip
    return row


async def _draft(autopay: Autopay, ledger: DraftLedger, due: sqlite3.Row) -> int:
    db, plan_id, number = autopay.db, due["plan_id"], due["number"]
    balance = ledger.balance_cents(due["statement_id"])
    if balance <= 0:  # paid some other way: nothing left to draft
        with transaction(db):
            autopay.end(plan_id, PlanStatus.PAID_OFF)
        return 0
    amount = min(int(due["amount_cents"]), balance)
    attempt = int(due["attempts"]) + 1
    key = f"{autopay.vendor}:autopay:{plan_id}:{number}:{attempt}"
    result = await ledger.charge(due["token"], amount, key)
    if result.status is ChargeStatus.SUCCEEDED and result.charge_id is not None:
        draft = Draft(plan_id, due["statement_id"], due["owner"], due["token"], number,
                      amount, result.charge_id, key)  # fmt: skip
        confirmation = ledger.record_draft(draft)
        with transaction(db):
            _record_charge(db, due, attempt, amount, result, confirmation)
            db.execute(
                "UPDATE autopay_installments SET status = ?, attempts = ?, amount_cents = ?, "
                "next_attempt_on = NULL, confirmation_number = ? "
                "WHERE plan_id = ? AND number = ?",
                (InstallmentStatus.DRAFTED, attempt, amount, confirmation, plan_id, number),
            )
            if autopay.remaining_cents(plan_id) <= 0 or balance - amount <= 0:
                autopay.end(plan_id, PlanStatus.PAID_OFF)
        return 1
    rules = autopay.rules
    retries_left = attempt - 1 < rules.max_draft_retries
    retry_on = date.fromisoformat(due["on_date"]) + timedelta(days=rules.retry_after_days)
    with transaction(db):
        _record_charge(db, due, attempt, amount, result, None)
        db.execute(
            "UPDATE autopay_installments SET status = ?, attempts = ?, next_attempt_on = ? "
            "WHERE plan_id = ? AND number = ?",
            (InstallmentStatus.FAILED, attempt,
             retry_on.isoformat() if retries_left else None, plan_id, number),
        )  # fmt: skip
        if not retries_left:
            autopay.end(plan_id, PlanStatus.DELINQUENT)
    logger.info("plan %s installment %s: draft declined (attempt %s)", plan_id, number, attempt)
    return 1


def _record_charge(
    db: sqlite3.Connection, due: sqlite3.Row, attempt: int, amount: int, result: ChargeResult,
    confirmation: str | None,
) -> None:  # fmt: skip
    db.execute(
        "INSERT INTO autopay_charges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (due["plan_id"], due["number"], attempt, due["on_date"], due["token"], amount,
         str(result.status), result.decline_code, result.charge_id, confirmation),
    )  # fmt: skip


def _skip_paused(autopay: Autopay, due: sqlite3.Row) -> None:
    """Skip the installment and owe its amount one month after the last one."""
    db, plan_id = autopay.db, due["plan_id"]
    plan = autopay.plan(plan_id)
    assert plan is not None
    enrolled_on = date.fromisoformat(plan["enrolled_on"])
    last = db.execute(
        "SELECT MAX(number) AS number, MAX(due_on) AS due_on FROM autopay_installments "
        "WHERE plan_id = ?",
        (plan_id,),
    ).fetchone()
    month = months_between(enrolled_on, date.fromisoformat(last["due_on"])) + 1
    with transaction(db):
        db.execute(
            "UPDATE autopay_installments SET status = ? WHERE plan_id = ? AND number = ?",
            (InstallmentStatus.SKIPPED, plan_id, due["number"]),
        )
        db.execute(
            "INSERT INTO autopay_installments (plan_id, number, due_on, amount_cents, status) "
            "VALUES (?, ?, ?, ?, ?)",
            (plan_id, last["number"] + 1, add_months(enrolled_on, month).isoformat(),
             due["amount_cents"], InstallmentStatus.SCHEDULED),
        )  # fmt: skip
