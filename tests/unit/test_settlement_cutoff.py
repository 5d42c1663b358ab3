"""The nightly settlement cutoff on the sandbox clock: business days, closing, settling."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from sandbox.common import clock
from sandbox.common.cutoff import CLEARANCE_SECONDS, Cutoff, keep_clear_of, sandbox_now
from sandbox.common.export_faults import ExportFaultState
from sandbox.healthpay24 import db as healthpay24_db
from sandbox.healthpay24 import refunds as healthpay24_refunds
from sandbox.healthpay24 import settlement as healthpay24_settlement
from sandbox.healthpay24 import settlement_files as healthpay24_files
from sandbox.patientco import db as patientco_db
from sandbox.patientco import settlement as patientco_settlement
from sandbox.patientco import transactions

NINE_PM = Cutoff(time(21, 0))


def at(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "business_day"),
    [
        (at(0, 0), date(2026, 12, 2)),
        (at(20, 59, 59), date(2026, 12, 2)),
        (at(21, 0), date(2026, 12, 3)),  # at the cutoff: the next day's batch
        (at(23, 59, 59), date(2026, 12, 3)),
    ],
)
def test_a_moment_belongs_to_the_business_day_of_the_next_cutoff(
    moment: datetime, business_day: date
) -> None:
    assert NINE_PM.business_day(moment) == business_day
    assert NINE_PM.next_after(moment) == NINE_PM.closes_at(business_day)
    assert NINE_PM.next_after(moment) > moment


def test_a_day_closes_at_its_cutoff() -> None:
    day = date(2026, 12, 2)
    assert not NINE_PM.has_closed(day, at(20, 59, 59))
    assert NINE_PM.has_closed(day, at(21, 0))
    # A cutoff in another zone's notation is the same instant.
    assert NINE_PM.business_day(at(16, 30).astimezone()) == day


def _clock_at(db: sqlite3.Connection, target: datetime) -> None:
    clock.advance(db, (target - sandbox_now(db)).total_seconds())


def test_a_reseed_keeps_the_next_cutoff_at_least_the_clearance_away(tmp_path: Path) -> None:
    db = patientco_db.connect(tmp_path / "patientco.sqlite3")
    patientco_db.reseed(db, seed=42, guarantors=1)
    now = sandbox_now(db)
    cutoff = patientco_settlement.CUTOFF
    assert (cutoff.next_after(now) - now).total_seconds() >= CLEARANCE_SECONDS
    # Far from the cutoff nothing moves; close to it the clock steps just past it.
    before = clock.offset(db)
    keep_clear_of(db, cutoff)
    assert clock.offset(db) == before
    _clock_at(db, cutoff.next_after(sandbox_now(db)) - timedelta(minutes=5))
    closing = cutoff.next_after(sandbox_now(db))
    keep_clear_of(db, cutoff)
    assert timedelta(0) < sandbox_now(db) - closing < timedelta(minutes=1)


def _pay(db: sqlite3.Connection, reference: str, cents: int = 1000) -> str:
    account = db.execute("SELECT account_number FROM guarantors").fetchone()[0]
    return transactions.record_payment(
        db,
        transactions.NewPayment(
            account_number=account, statement_id=None, staff_username="staff",
            amount_cents=cents, reference=reference, token="tok", method_kind="card",
            brand="Visa", last4="4242", charge_id=f"ch-{reference}", submission_id=reference,
        ),
    )  # fmt: skip


def test_patientco_batches_close_at_the_cutoff_and_late_payments_go_to_the_next_day(
    tmp_path: Path,
) -> None:
    db = patientco_db.connect(tmp_path / "patientco.sqlite3")
    patientco_db.reseed(db, seed=42, guarantors=1)
    cutoff = patientco_settlement.CUTOFF
    closing = cutoff.next_after(sandbox_now(db))
    _clock_at(db, closing - timedelta(seconds=30))
    early = transactions.payment(db, _pay(db, "bb-early"))
    assert early is not None and patientco_settlement.is_open(db, early["batch_id"])
    assert patientco_settlement.business_day_of(early["batch_id"]) == closing.date()

    clock.advance(db, 31)  # past the cutoff: the batch settles, deposit the next day
    assert not patientco_settlement.is_open(db, early["batch_id"])
    settled = patientco_settlement.batch(db, early["batch_id"])
    assert settled is not None and settled.status == patientco_settlement.SETTLED
    assert settled.deposit_date == (closing.date() + timedelta(days=1)).isoformat()
    assert transactions.refundable_cents(db, early) == 1000

    late = transactions.payment(db, _pay(db, "bb-late"))
    assert late is not None and late["batch_id"] != early["batch_id"]
    assert patientco_settlement.business_day_of(late["batch_id"]) == closing.date() + timedelta(
        days=1
    )
    # The admin close still settles the open batch early; the next payment opens another.
    assert patientco_settlement.close_open_batch(db) == late["batch_id"]
    again = transactions.payment(db, _pay(db, "bb-again"))
    assert again is not None and again["batch_id"].endswith("-02")


def _hp24_payment(db: sqlite3.Connection, created_at: datetime) -> str:
    statement_id, username = db.execute(
        "SELECT s.statement_id, a.username FROM statements s "
        "JOIN accounts a ON a.account_number = s.account_number"
    ).fetchone()
    confirmation = f"HP24-{created_at:%H%M%S}"
    db.execute(
        "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (confirmation, statement_id, username, 500, "bb-ref", "tok", "Visa", "4242", "card",
         f"ch-{confirmation}", f"chk-{confirmation}", created_at.isoformat(timespec="seconds")),
    )  # fmt: skip
    return confirmation


def test_healthpay24_payments_settle_with_their_business_days_batch(tmp_path: Path) -> None:
    db = healthpay24_db.connect(tmp_path / "healthpay24.sqlite3")
    healthpay24_db.reseed(db, seed=42, patients=1)
    cutoff = healthpay24_settlement.CUTOFF
    closing = cutoff.next_after(sandbox_now(db))
    before = _hp24_payment(db, closing - timedelta(seconds=1))
    after = _hp24_payment(db, closing)
    first = healthpay24_settlement.batch_for((closing - timedelta(seconds=1)).isoformat())
    second = healthpay24_settlement.batch_for(closing.isoformat())
    assert first.batch_id == f"HPB-{closing:%Y%m%d}" and first.closes_at == closing
    assert second.business_day == first.business_day + timedelta(days=1)
    assert second.deposit_date == second.business_day + timedelta(days=1)

    assert not healthpay24_settlement.payment_is_settled(db, before)
    assert healthpay24_settlement.closed_batches(db) == []
    _clock_at(db, closing)
    assert healthpay24_settlement.payment_is_settled(db, before)
    assert not healthpay24_settlement.payment_is_settled(db, after)
    assert healthpay24_settlement.closed_batches(db) == [first]
    assert [r["confirmation_number"] for r in healthpay24_settlement.payments_in(db, first)] == [
        before
    ]
    with pytest.raises(KeyError):
        healthpay24_settlement.payment_is_settled(db, "HP24-NONE")


def test_healthpay24_files_leave_voids_out_and_pay_refunds_out_on_their_own_day(
    tmp_path: Path,
) -> None:
    db = healthpay24_db.connect(tmp_path / "healthpay24.sqlite3")
    healthpay24_db.reseed(db, seed=42, patients=1)
    closing = healthpay24_settlement.CUTOFF.next_after(sandbox_now(db))
    kept = _hp24_payment(db, closing - timedelta(seconds=2))
    voided = _hp24_payment(db, closing - timedelta(seconds=1))
    payment = db.execute("SELECT * FROM payments WHERE confirmation_number = ?", (voided,))
    healthpay24_refunds.record(db, payment.fetchone(), kind=healthpay24_refunds.VOID,
                               amount_cents=500, reason_code="R01", note="bb-void",
                               processor_refund_id="re-1")  # fmt: skip
    _clock_at(db, closing)  # the first day's batch closes; the refund is the next day's
    payment = db.execute("SELECT * FROM payments WHERE confirmation_number = ?", (kept,))
    refund = healthpay24_refunds.record(db, payment.fetchone(), kind=healthpay24_refunds.REFUND,
                                        amount_cents=200, reason_code="R02", note="bb-refund",
                                        processor_refund_id="re-2")  # fmt: skip
    _clock_at(db, closing + timedelta(days=1))

    files = healthpay24_files.files(db, ExportFaultState())
    first, second = (rows for _, rows in sorted(files.items()))
    assert [line.split(",")[2:5] for line in first.splitlines()[1:-1]] == [["SALE", kept, ""]]
    assert [line.split(",")[2:5] for line in second.splitlines()[1:-1]] == [
        ["REFUND", refund, kept]
    ]
    assert second.splitlines()[-1] == "T,1,-2.00"
