"""Payment plans with autopay, drafted on the sandbox's clock: the back office every portal shares.

A plan covers one statement's balance in monthly installments, the first due one month after
enrollment (on the sandbox clock), the last one the remainder. Autopay drafts each installment
on its due date by charging the plan's token through the portal's own charging (the sandbox
processor), so a declining test card fails its draft; a failed draft is retried every
``retry_after_days`` up to ``max_draft_retries`` times, then the plan is delinquent. A drafted
installment is a payment in the portal's ledger and lowers the statement's balance. A paused
plan drafts nothing: an installment due while it is paused is skipped and its amount added
at the end of the schedule.

Nothing drafts by itself: ``Autopay.catch_up`` runs every draft and retry that has come due,
in date order and as of its own date, and is called before the portal answers any request
and after the admin API moves the clock (``sandbox.common.autopay_web``). Each charge attempt
is a row of ``autopay_charges`` keyed by (plan, installment, attempt) and charged with an
idempotency key of the same three, so a catch-up interrupted anywhere and run again never
charges an installment twice. The tables are part of each portal's schema, as the clock's are.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sandbox.common import clock
from sandbox.common.autopay_drafting import Draft, DraftLedger, catch_up
from sandbox.common.autopay_rules import RULES, PlanRefused, PlanRules, Refusal, amount_refusals
from sandbox.common.autopay_schedule import ScheduledInstallment, months_between, schedule
from sandbox.common.autopay_status import OPEN_STATUSES, InstallmentStatus, PlanStatus
from sandbox.common.sqlite import transaction

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS autopay_plans (
    plan_id TEXT PRIMARY KEY, statement_id TEXT NOT NULL, owner TEXT NOT NULL,
    reference TEXT NOT NULL, token TEXT NOT NULL, status TEXT NOT NULL,
    total_cents INTEGER NOT NULL, installment_cents INTEGER NOT NULL,
    enrolled_on TEXT NOT NULL, ended_on TEXT, submission_id TEXT UNIQUE
);
CREATE TABLE IF NOT EXISTS autopay_installments (
    plan_id TEXT NOT NULL REFERENCES autopay_plans(plan_id), number INTEGER NOT NULL,
    due_on TEXT NOT NULL, amount_cents INTEGER NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_on TEXT, confirmation_number TEXT,
    PRIMARY KEY (plan_id, number)
);
CREATE TABLE IF NOT EXISTS autopay_charges (
    plan_id TEXT NOT NULL, number INTEGER NOT NULL, attempt INTEGER NOT NULL,
    attempted_on TEXT NOT NULL, token TEXT NOT NULL, amount_cents INTEGER NOT NULL,
    outcome TEXT NOT NULL, decline_code TEXT, charge_id TEXT, confirmation_number TEXT,
    PRIMARY KEY (plan_id, number, attempt),
    FOREIGN KEY (plan_id, number) REFERENCES autopay_installments(plan_id, number)
);
"""
# In deletion order (a reset empties them with the portal's other tables).
TABLES = ("autopay_charges", "autopay_installments", "autopay_plans")
__all__ = ["RULES", "SCHEMA", "TABLES", "Autopay", "Draft", "DraftLedger", "InstallmentStatus",
           "NextDraft", "PlanRefused", "PlanRules", "PlanStatus", "Refusal"]  # fmt: skip


@dataclass(frozen=True)
class NextDraft:
    on: date
    amount_cents: int


class Autopay:
    """One per running portal: its plans, their schedules and the drafting on its clock."""

    def __init__(self, db: sqlite3.Connection, vendor: str, ledger: DraftLedger, prefix: str):
        self.db = db
        self.vendor = vendor
        self.rules = RULES[vendor]
        self._ledger = ledger
        self._prefix = prefix
        # Handlers share one event loop; a catch-up awaits the processor, so two requests
        # must not run the same due draft side by side.
        self._lock = asyncio.Lock()

    def today(self) -> date:
        return datetime.fromtimestamp(clock.now(self.db), UTC).date()

    # --- reading -------------------------------------------------------------------------

    def plan(self, plan_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM autopay_plans WHERE plan_id = ?", (plan_id,)
        ).fetchone()
        return row

    def plans(
        self, *, owner: str | None = None, reference: str | None = None,
        statement_id: str | None = None,
    ) -> list[sqlite3.Row]:  # fmt: skip
        """Plans, newest first; ``reference`` is an exact match of the plan's memo."""
        clauses, params = [], []
        for column, value in (("owner", owner), ("reference", reference),
                              ("statement_id", statement_id)):  # fmt: skip
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.db.execute(
            f"SELECT * FROM autopay_plans {where} ORDER BY rowid DESC", params
        ).fetchall()

    def installments(self, plan_id: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM autopay_installments WHERE plan_id = ? ORDER BY number", (plan_id,)
        ).fetchall()

    def charges(self, plan_id: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM autopay_charges WHERE plan_id = ? ORDER BY number, attempt", (plan_id,)
        ).fetchall()

    def drafted_cents(self, plan_id: str) -> int:
        total: int = self.db.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM autopay_installments "
            "WHERE plan_id = ? AND status = ?",
            (plan_id, InstallmentStatus.DRAFTED),
        ).fetchone()[0]
        return total

    def remaining_cents(self, plan_id: str) -> int:
        """What is still owed on the plan (what the patient would pay to pay it off)."""
        row = self.plan(plan_id)
        return 0 if row is None else int(row["total_cents"]) - self.drafted_cents(plan_id)

    def next_draft(self, plan_id: str) -> NextDraft | None:
        """The next draft autopay will make; None unless the plan is active."""
        row = self.plan(plan_id)
        if row is None or row["status"] != PlanStatus.ACTIVE:
            return None
        found = self.db.execute(
            "SELECT COALESCE(next_attempt_on, due_on) AS on_date, amount_cents "
            "FROM autopay_installments WHERE plan_id = ? AND "
            "(status = ? OR (status = ? AND next_attempt_on IS NOT NULL)) "
            "ORDER BY on_date, number LIMIT 1",
            (plan_id, InstallmentStatus.SCHEDULED, InstallmentStatus.FAILED),
        ).fetchone()
        if found is None:
            return None
        return NextDraft(date.fromisoformat(found["on_date"]), int(found["amount_cents"]))

    # --- what the portal's forms do ------------------------------------------------------

    def enrollment_refusals(self, statement_id: str, installment_cents: int) -> list[Refusal]:
        balance = self._ledger.balance_cents(statement_id)
        if balance < self.rules.min_balance_cents:
            return [Refusal.BALANCE_TOO_SMALL]
        refusals = []
        if any(row["status"] in (*OPEN_STATUSES, PlanStatus.DELINQUENT)
               for row in self.plans(statement_id=statement_id)):  # fmt: skip
            refusals.append(Refusal.PLAN_EXISTS)
        refusals += amount_refusals(
            self.rules, balance, installment_cents, months_used=0, enrolling=True
        )
        return refusals

    def enroll(
        self, *, statement_id: str, owner: str, token: str, installment_cents: int,
        reference: str, submission_id: str | None = None,
    ) -> str:  # fmt: skip
        """A new active plan on the statement's whole balance; ``PlanRefused`` if the rules
        say no. The same ``submission_id`` again answers with the plan it enrolled."""
        if submission_id and (earlier := self._by_submission(submission_id)):
            return earlier
        refusals = self.enrollment_refusals(statement_id, installment_cents)
        if refusals:
            raise PlanRefused(refusals)
        today = self.today()
        balance = self._ledger.balance_cents(statement_id)
        with transaction(self.db):
            plan_id = self._next_plan_id()
            self.db.execute(
                "INSERT INTO autopay_plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (plan_id, statement_id, owner, reference, token, PlanStatus.ACTIVE, balance,
                 installment_cents, today.isoformat(), submission_id or None),
            )  # fmt: skip
            self._insert_schedule(plan_id, schedule(today, balance, installment_cents))
        logger.info("plan %s enrolled on %s", plan_id, statement_id)
        return plan_id

    def change(
        self, plan_id: str, *, installment_cents: int | None = None, token: str | None = None
    ) -> None:
        """A new installment amount (the installments not yet attempted are rebuilt) and/or
        payment method (the next draft or retry charges it)."""
        plan = self._open_plan(plan_id)
        if installment_cents is not None:
            self._reschedule(plan, installment_cents)
        if token is not None:
            self.db.execute(
                "UPDATE autopay_plans SET token = ? WHERE plan_id = ?", (token, plan_id)
            )

    def cancel(self, plan_id: str) -> None:
        """Autopay stops; what is owed stays on the statement. Cancelling again does nothing."""
        plan = self.plan(plan_id)
        if plan is None or plan["status"] not in (*OPEN_STATUSES, PlanStatus.DELINQUENT):
            return
        with transaction(self.db):
            self.end(plan_id, PlanStatus.CANCELLED)

    def pause(self, plan_id: str) -> None:
        self._open_plan(plan_id)
        self.db.execute("UPDATE autopay_plans SET status = ? WHERE plan_id = ?",
                        (PlanStatus.PAUSED, plan_id))  # fmt: skip

    def resume(self, plan_id: str) -> None:
        """Active again; a failed draft whose retry fell in the pause is retried at once."""
        self._open_plan(plan_id)
        today = self.today().isoformat()
        with transaction(self.db):
            self.db.execute("UPDATE autopay_plans SET status = ? WHERE plan_id = ?",
                            (PlanStatus.ACTIVE, plan_id))  # fmt: skip
            self.db.execute(
                "UPDATE autopay_installments SET next_attempt_on = ? WHERE plan_id = ? "
                "AND status = ? AND next_attempt_on < ?",
                (today, plan_id, InstallmentStatus.FAILED, today),
            )

    async def catch_up(self) -> int:
        """Run every draft and retry due by today, oldest first; how many charges it tried
        (``sandbox.common.autopay_drafting``)."""
        async with self._lock:
            return await catch_up(self, self._ledger)

    # --- inside -------------------------------------------------------------------------

    def _open_plan(self, plan_id: str) -> sqlite3.Row:
        plan = self.plan(plan_id)
        if plan is None or plan["status"] not in OPEN_STATUSES:
            raise PlanRefused([Refusal.PLAN_NOT_OPEN])
        return plan

    def _reschedule(self, plan: sqlite3.Row, installment_cents: int) -> None:
        plan_id = plan["plan_id"]
        pending = self.db.execute(
            "SELECT * FROM autopay_installments WHERE plan_id = ? AND status = ? ORDER BY number",
            (plan_id, InstallmentStatus.SCHEDULED),
        ).fetchall()
        if not pending:
            raise PlanRefused([Refusal.NOTHING_TO_RESCHEDULE])
        rest = sum(int(row["amount_cents"]) for row in pending)
        enrolled_on = date.fromisoformat(plan["enrolled_on"])
        first_month = months_between(enrolled_on, date.fromisoformat(pending[0]["due_on"]))
        refusals = amount_refusals(self.rules, rest, installment_cents, months_used=first_month - 1)
        if refusals:
            raise PlanRefused(refusals)
        with transaction(self.db):
            self.db.execute(
                "DELETE FROM autopay_installments WHERE plan_id = ? AND status = ?",
                (plan_id, InstallmentStatus.SCHEDULED),
            )
            self._insert_schedule(
                plan_id,
                schedule(enrolled_on, rest, installment_cents,
                         first_number=pending[0]["number"], first_month=first_month),
            )  # fmt: skip
            self.db.execute(
                "UPDATE autopay_plans SET installment_cents = ? WHERE plan_id = ?",
                (installment_cents, plan_id),
            )

    def _insert_schedule(self, plan_id: str, installments: list[ScheduledInstallment]) -> None:
        for item in installments:
            self.db.execute(
                "INSERT INTO autopay_installments (plan_id, number, due_on, amount_cents, status) "
                "VALUES (?, ?, ?, ?, ?)",
                (plan_id, item.number, item.due_on.isoformat(), item.amount_cents,
                 InstallmentStatus.SCHEDULED),
            )  # fmt: skip

    def end(self, plan_id: str, status: PlanStatus) -> None:
        """The plan ends (inside the caller's transaction): nothing more will be drafted."""
        self.db.execute(
            "UPDATE autopay_plans SET status = ?, ended_on = ? WHERE plan_id = ?",
            (status, self.today().isoformat(), plan_id),
        )
        self.db.execute(
            "UPDATE autopay_installments SET status = ? WHERE plan_id = ? AND status = ?",
            (InstallmentStatus.SKIPPED, plan_id, InstallmentStatus.SCHEDULED),
        )
        self.db.execute(
            "UPDATE autopay_installments SET next_attempt_on = NULL WHERE plan_id = ?", (plan_id,)
        )

    def _by_submission(self, submission_id: str) -> str | None:
        row = self.db.execute(
            "SELECT plan_id FROM autopay_plans WHERE submission_id = ?", (submission_id,)
        ).fetchone()
        return None if row is None else str(row["plan_id"])

    def _next_plan_id(self) -> str:
        # Deterministic per database (seed + sequence), as the portals' confirmation numbers.
        seed_row = self.db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
        sequence = self.db.execute("SELECT COUNT(*) FROM autopay_plans").fetchone()[0]
        rng = random.Random(f"{self.vendor}-plan:{seed_row[0] if seed_row else 0}:{sequence}")
        alphabet = string.ascii_uppercase + string.digits
        while True:
            candidate = f"{self._prefix}-" + "".join(rng.choice(alphabet) for _ in range(8))
            if self.plan(candidate) is None:
                return candidate
