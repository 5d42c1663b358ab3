"""The sandbox autopay engine: schedules, drafts on the moved clock, retries, pauses.

The engine runs on a real SQLite database with the clock's table, against a portal ledger
that charges the processor's test instruments by their token (the declining Visa declines)
and, like the processor, answers a repeated idempotency key with its first result.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from sandbox.common import autopay_schedule as plan_schedule
from sandbox.common import clock
from sandbox.common.autopay import (
    SCHEMA,
    Autopay,
    Draft,
    InstallmentStatus,
    PlanRefused,
    PlanStatus,
    Refusal,
)
from sandbox.processor import tokens
from sandbox.processor.client import ChargeResult, ChargeStatus

DAY = 24 * 3600
STATEMENT = "ST-1"
APPROVING = tokens.wallet_token(tokens.VISA_APPROVED, "unit:patient")
DECLINING = tokens.wallet_token(tokens.VISA_DECLINED, "unit:patient")


@dataclass
class Ledger:
    """The portal's side: statement balances, charges by token outcome, recorded payments."""

    balances: dict[str, int]
    charges: dict[str, ChargeResult] = field(default_factory=dict)
    payments: dict[str, Draft] = field(default_factory=dict)  # by charge id
    fail_next_record: bool = False

    def balance_cents(self, statement_id: str) -> int:
        return self.balances[statement_id]

    async def charge(self, token: str, amount_cents: int, idempotency_key: str) -> ChargeResult:
        if idempotency_key not in self.charges:
            instrument = tokens.read(token)
            assert instrument is not None
            self.charges[idempotency_key] = (
                ChargeResult(ChargeStatus.SUCCEEDED, charge_id=f"ch_{len(self.charges)}")
                if instrument.outcome is tokens.Outcome.APPROVED
                else ChargeResult(ChargeStatus.DECLINED, decline_code="card_declined")
            )
        return self.charges[idempotency_key]

    def record_draft(self, draft: Draft) -> str:
        if self.fail_next_record:
            self.fail_next_record = False
            raise RuntimeError("the portal died between the charge and the payment")
        if draft.charge_id not in self.payments:
            self.payments[draft.charge_id] = draft
            self.balances[draft.statement_id] -= draft.amount_cents
        return f"CONF-{draft.charge_id}"


@pytest.fixture
def db() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('seed', '42');" + SCHEMA + clock.SCHEMA
    )
    return connection


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(balances={STATEMENT: 10_000, "ST-small": 1_000})


@pytest.fixture
def engine(db: sqlite3.Connection, ledger: Ledger) -> Autopay:
    return Autopay(db, "cedar", ledger, "PLN")  # cedar: $15 min, 18 months, retry 3 days × 2


def enroll(engine: Autopay, installment: int = 3_000, token: str = APPROVING) -> str:
    return engine.enroll(statement_id=STATEMENT, owner="patient", token=token,
                         installment_cents=installment, reference="bb-plan-1")  # fmt: skip


def statuses(engine: Autopay, plan_id: str) -> list[str]:
    return [row["status"] for row in engine.installments(plan_id)]


def sandbox_today(db: sqlite3.Connection) -> date:
    return datetime.fromtimestamp(clock.now(db), UTC).date()


def to_first_due(db: sqlite3.Connection, engine: Autopay, plan_id: str) -> None:
    """Move the clock to the first installment's due date (28 to 31 days away)."""
    due = date.fromisoformat(engine.installments(plan_id)[0]["due_on"])
    clock.advance(db, (due - sandbox_today(db)).days * DAY)


# --- schedule arithmetic ------------------------------------------------------------------


def test_due_dates_keep_the_enrollment_day_and_clamp_to_short_months() -> None:
    start = date(2025, 1, 31)
    assert [plan_schedule.add_months(start, n) for n in (1, 2, 3, 13)] == [
        date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2026, 2, 28),
    ]  # fmt: skip
    assert plan_schedule.months_between(start, date(2025, 2, 28)) == 1
    assert plan_schedule.months_between(start, date(2025, 2, 27)) == 0


def test_installments_are_equal_and_the_last_is_the_remainder() -> None:
    assert plan_schedule.amounts(10_000, 3_000) == [3_000, 3_000, 3_000, 1_000]
    assert plan_schedule.amounts(9_000, 3_000) == [3_000, 3_000, 3_000]
    installments = plan_schedule.schedule(date(2025, 6, 15), 10_000, 3_000)
    assert [(i.number, i.due_on) for i in installments] == [
        (1, date(2025, 7, 15)), (2, date(2025, 8, 15)), (3, date(2025, 9, 15)),
        (4, date(2025, 10, 15)),
    ]  # fmt: skip
    assert sum(i.amount_cents for i in installments) == 10_000


def test_enrollment_schedules_the_first_draft_one_month_after_today_on_the_sandbox_clock(
    db: sqlite3.Connection, engine: Autopay
) -> None:
    clock.advance(db, 40 * DAY)
    plan_id = enroll(engine)
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.ACTIVE
    assert plan["enrolled_on"] == sandbox_today(db).isoformat()
    first = engine.installments(plan_id)[0]
    assert first["due_on"] == plan_schedule.add_months(sandbox_today(db), 1).isoformat()
    assert [row["amount_cents"] for row in engine.installments(plan_id)] == [3_000] * 3 + [1_000]
    assert engine.remaining_cents(plan_id) == 10_000
    next_draft = engine.next_draft(plan_id)
    assert next_draft is not None and next_draft.amount_cents == 3_000


@pytest.mark.parametrize(
    ("statement", "installment", "refusal"),
    [
        ("ST-small", 1_500, Refusal.BALANCE_TOO_SMALL),  # $10 < Cedar's $50 minimum
        (STATEMENT, 1_000, Refusal.INSTALLMENT_TOO_SMALL),  # < $15
        (STATEMENT, 10_000, Refusal.INSTALLMENT_COVERS_BALANCE),
    ],
)
def test_the_rules_refuse_what_they_do_not_allow(
    engine: Autopay, statement: str, installment: int, refusal: Refusal
) -> None:
    with pytest.raises(PlanRefused) as refused:
        engine.enroll(statement_id=statement, owner="patient", token=APPROVING,
                      installment_cents=installment, reference="r")  # fmt: skip
    assert refused.value.refusals == [refusal]


def test_a_term_longer_than_the_portal_allows_is_refused(ledger: Ledger, engine: Autopay) -> None:
    ledger.balances[STATEMENT] = 30_000  # $300 at $15 a month: 20 months > 18
    assert engine.enrollment_refusals(STATEMENT, 1_500) == [Refusal.TERM_TOO_LONG]
    assert engine.enrollment_refusals(STATEMENT, 1_700) == []


def test_one_open_plan_per_statement(engine: Autopay) -> None:
    enroll(engine)
    assert engine.enrollment_refusals(STATEMENT, 3_000) == [Refusal.PLAN_EXISTS]


def test_the_same_submission_enrolls_once(engine: Autopay) -> None:
    form = {"statement_id": STATEMENT, "owner": "p", "token": APPROVING,
            "installment_cents": 3_000, "reference": "r", "submission_id": "form-1"}  # fmt: skip
    first = engine.enroll(**form)  # type: ignore[arg-type]
    again = engine.enroll(**form)  # type: ignore[arg-type]
    assert again == first and len(engine.plans()) == 1


# --- drafting on the clock ----------------------------------------------------------------


async def test_nothing_is_drafted_before_the_due_date(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    clock.advance(db, 27 * DAY)
    assert await engine.catch_up() == 0
    assert statuses(engine, plan_id) == [InstallmentStatus.SCHEDULED] * 4
    assert ledger.payments == {}


async def test_a_due_installment_is_drafted_once_however_often_catch_up_runs(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    to_first_due(db, engine, plan_id)
    assert await engine.catch_up() == 1
    assert await engine.catch_up() == 0
    assert await engine.catch_up() == 0
    first = engine.installments(plan_id)[0]
    assert first["status"] == InstallmentStatus.DRAFTED and first["attempts"] == 1
    assert first["confirmation_number"] == "CONF-ch_0"
    assert [draft.number for draft in ledger.payments.values()] == [1]
    assert ledger.balances[STATEMENT] == 7_000
    assert engine.remaining_cents(plan_id) == 7_000
    assert len(engine.charges(plan_id)) == 1


async def test_a_long_jump_drafts_every_installment_in_order_to_payoff(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    clock.advance(db, 200 * DAY)
    assert await engine.catch_up() == 4
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.PAID_OFF
    assert statuses(engine, plan_id) == [InstallmentStatus.DRAFTED] * 4
    assert [draft.number for draft in ledger.payments.values()] == [1, 2, 3, 4]
    assert [c["attempted_on"] for c in engine.charges(plan_id)] == [
        row["due_on"] for row in engine.installments(plan_id)
    ]
    assert ledger.balances[STATEMENT] == 0 and engine.next_draft(plan_id) is None


async def test_a_charge_whose_payment_was_not_recorded_is_recorded_once_on_the_next_catch_up(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    to_first_due(db, engine, plan_id)
    ledger.fail_next_record = True
    assert await engine.catch_up() == 0  # charged, then the portal failed: postponed
    assert engine.charges(plan_id) == []
    assert await engine.catch_up() == 1
    assert len(ledger.charges) == 1 and len(ledger.payments) == 1  # same key, same charge
    assert [c["attempt"] for c in engine.charges(plan_id)] == [1]


async def test_a_declined_draft_is_retried_on_schedule_then_the_plan_is_delinquent(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine, token=DECLINING)
    to_first_due(db, engine, plan_id)
    assert await engine.catch_up() == 1
    first = engine.installments(plan_id)[0]
    assert first["status"] == InstallmentStatus.FAILED and first["attempts"] == 1
    due_on = date.fromisoformat(first["due_on"])
    assert date.fromisoformat(first["next_attempt_on"]) == due_on + timedelta(days=3)
    clock.advance(db, 3 * DAY)
    assert await engine.catch_up() == 1  # retry 1 of 2
    clock.advance(db, 3 * DAY)
    assert await engine.catch_up() == 1  # retry 2 of 2: the limit
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.DELINQUENT
    assert engine.installments(plan_id)[0]["attempts"] == 3
    assert statuses(engine, plan_id)[1:] == [InstallmentStatus.SKIPPED] * 3
    clock.advance(db, 90 * DAY)
    assert await engine.catch_up() == 0  # a delinquent plan drafts nothing more
    assert [c["outcome"] for c in engine.charges(plan_id)] == ["declined"] * 3
    assert ledger.payments == {} and ledger.balances[STATEMENT] == 10_000


async def test_a_declined_draft_recovers_on_its_retry_after_a_method_change(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine, token=DECLINING)
    to_first_due(db, engine, plan_id)
    await engine.catch_up()
    engine.change(plan_id, token=APPROVING)
    clock.advance(db, 3 * DAY)
    assert await engine.catch_up() == 1
    first = engine.installments(plan_id)[0]
    assert first["status"] == InstallmentStatus.DRAFTED and first["attempts"] == 2
    assert [(c["outcome"], c["token"]) for c in engine.charges(plan_id)] == [
        ("declined", DECLINING), ("succeeded", APPROVING),
    ]  # fmt: skip
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.ACTIVE
    assert ledger.balances[STATEMENT] == 7_000


async def test_a_paused_plan_skips_its_due_installment_and_owes_it_at_the_end(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    engine.pause(plan_id)
    assert engine.next_draft(plan_id) is None
    to_first_due(db, engine, plan_id)
    assert await engine.catch_up() == 0
    rows = engine.installments(plan_id)
    assert [row["status"] for row in rows] == [InstallmentStatus.SKIPPED] + [
        InstallmentStatus.SCHEDULED
    ] * 4
    assert rows[-1]["amount_cents"] == 3_000 and rows[-1]["number"] == 5
    assert ledger.payments == {}
    engine.resume(plan_id)
    clock.advance(db, 200 * DAY)
    assert await engine.catch_up() == 4
    assert sum(d.amount_cents for d in ledger.payments.values()) == 10_000
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.PAID_OFF


async def test_a_retry_due_during_a_pause_waits_for_the_resume(
    db: sqlite3.Connection, engine: Autopay
) -> None:
    plan_id = enroll(engine, token=DECLINING)
    to_first_due(db, engine, plan_id)
    await engine.catch_up()
    engine.pause(plan_id)
    clock.advance(db, 5 * DAY)
    assert await engine.catch_up() == 0
    engine.change(plan_id, token=APPROVING)
    engine.resume(plan_id)
    assert await engine.catch_up() == 1
    assert engine.installments(plan_id)[0]["status"] == InstallmentStatus.DRAFTED


async def test_a_new_amount_rebuilds_the_installments_not_yet_drafted(
    db: sqlite3.Connection, engine: Autopay
) -> None:
    plan_id = enroll(engine)
    to_first_due(db, engine, plan_id)
    await engine.catch_up()
    engine.change(plan_id, installment_cents=2_000)
    rows = engine.installments(plan_id)
    assert [(row["number"], row["amount_cents"], row["status"]) for row in rows] == [
        (1, 3_000, "drafted"), (2, 2_000, "scheduled"), (3, 2_000, "scheduled"),
        (4, 2_000, "scheduled"), (5, 1_000, "scheduled"),
    ]  # fmt: skip
    assert rows[1]["due_on"] > rows[0]["due_on"]
    with pytest.raises(PlanRefused) as refused:
        engine.change(plan_id, installment_cents=500)
    assert refused.value.refusals == [Refusal.INSTALLMENT_TOO_SMALL]


async def test_a_new_amount_needs_an_installment_not_yet_attempted(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    ledger.balances[STATEMENT] = 6_000
    plan_id = enroll(engine, installment=3_000)  # two installments
    to_first_due(db, engine, plan_id)
    await engine.catch_up()  # the first is drafted
    engine.change(plan_id, token=DECLINING)
    clock.advance(db, 31 * DAY)
    await engine.catch_up()  # the last one is declined and awaits its retry
    assert statuses(engine, plan_id) == [InstallmentStatus.DRAFTED, InstallmentStatus.FAILED]
    with pytest.raises(PlanRefused) as refused:
        engine.change(plan_id, installment_cents=2_000)
    assert refused.value.refusals == [Refusal.NOTHING_TO_RESCHEDULE]
    engine.change(plan_id, token=APPROVING)  # a new card is still taken
    plan = engine.plan(plan_id)
    assert plan is not None and plan["token"] == APPROVING


async def test_a_cancelled_plan_drafts_nothing_and_cannot_be_changed(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    engine.cancel(plan_id)
    engine.cancel(plan_id)  # again: nothing happens
    clock.advance(db, 200 * DAY)
    assert await engine.catch_up() == 0
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.CANCELLED
    assert statuses(engine, plan_id) == [InstallmentStatus.SKIPPED] * 4
    with pytest.raises(PlanRefused):
        engine.change(plan_id, token=DECLINING)
    assert ledger.payments == {} and engine.enrollment_refusals(STATEMENT, 3_000) == []


async def test_a_statement_paid_some_other_way_ends_the_plan_as_paid_off(
    db: sqlite3.Connection, engine: Autopay, ledger: Ledger
) -> None:
    plan_id = enroll(engine)
    to_first_due(db, engine, plan_id)
    await engine.catch_up()
    ledger.balances[STATEMENT] = 500  # the patient paid most of the rest at the front desk
    clock.advance(db, 31 * DAY)
    assert await engine.catch_up() == 1
    second = engine.installments(plan_id)[1]
    assert second["amount_cents"] == 500 and second["status"] == InstallmentStatus.DRAFTED
    plan = engine.plan(plan_id)
    assert plan is not None and plan["status"] == PlanStatus.PAID_OFF
    assert ledger.balances[STATEMENT] == 0
