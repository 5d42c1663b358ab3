"""Matching settlement batches against what BillBridge moved: every status, once each."""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.money import Money
from models.reconciliation import MatchStatus, PostedMoney
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)
from workflows.settlement_matching import reconcile

DAY = date(2026, 12, 2)
AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def detail(number: str, cents: int, kind: SettlementDetailType = SettlementDetailType.PAYMENT,
           **extra: str) -> SettlementDetail:  # fmt: skip
    return SettlementDetail(identifier=number, type=kind, amount=Money(amount_cents=cents),
                            date=DAY, **extra)  # fmt: skip


def batch(batch_id: str, *details: SettlementDetail, settled: bool = True) -> SettlementBatch:
    return SettlementBatch(
        identifier=batch_id,
        status=SettlementStatus.SETTLED if settled else SettlementStatus.OPEN,
        period_start=DAY, period_end=DAY,
        payment_amount=Money(amount_cents=sum(d.amount.amount_cents for d in details)),
        details=list(details),
    )  # fmt: skip


def posted(number: str, cents: int, *, day: int = 2, action: str = "payment.posted",
           reference: str | None = None) -> PostedMoney:  # fmt: skip
    return PostedMoney(action=action, number=number, amount_cents=cents, reference=reference,
                       posted_at=datetime(2026, 12, day, 15, 0, tzinfo=UTC))  # fmt: skip


def statuses(report_lines: list[object]) -> dict[str, MatchStatus]:
    return {line.number: line.status for line in report_lines}  # type: ignore[attr-defined]


def test_every_kind_of_difference_is_reported_once() -> None:
    batches = [
        batch("B1",
              detail("P-OK", 1000), detail("P-ALTERED", 1150), detail("P-STAFF", 700),
              detail("R-OK", -300, SettlementDetailType.REFUND),
              detail("CB-1", -1000, SettlementDetailType.CHARGEBACK, reverses="P-OK"),
              detail("CB-2", -500, SettlementDetailType.CHARGEBACK, reference="bb-ref-5")),
        batch("B2", detail("P-OPEN", 400), settled=False),
    ]  # fmt: skip
    moved = [
        posted("P-OK", 1000), posted("P-OK", 1000),  # audited twice (found already posted)
        posted("P-ALTERED", 1200), posted("P-DROPPED", 1100),
        posted("R-OK", 300, action="refund.refunded"),
        posted("P-5", 500, reference="bb-ref-5"),
        posted("P-OPEN", 400), posted("P-TOMORROW", 900, day=3),
    ]  # fmt: skip
    report = reconcile("c1", batches, moved, AT)

    assert statuses(report.lines) == {
        "P-OK": MatchStatus.MATCHED, "R-OK": MatchStatus.MATCHED,
        "P-ALTERED": MatchStatus.AMOUNT_DIFFERS, "P-DROPPED": MatchStatus.MISSING,
        "P-5": MatchStatus.MISSING, "P-STAFF": MatchStatus.UNEXPECTED,
        "CB-1": MatchStatus.CHARGEBACK, "CB-2": MatchStatus.CHARGEBACK,
        "P-OPEN": MatchStatus.PENDING, "P-TOMORROW": MatchStatus.PENDING,
    }  # fmt: skip
    lines = {line.number: line for line in report.lines}
    assert (lines["P-ALTERED"].expected_cents, lines["P-ALTERED"].settled_cents) == (1200, 1150)
    assert lines["R-OK"].expected_cents == -300  # refunds leave the account
    assert lines["CB-1"].payment_number == "P-OK"  # named by number in the file
    assert lines["CB-2"].payment_number == "P-5"  # named by the posting's reference
    summary = report.summary
    assert (summary.matched, summary.amount_differs, summary.missing, summary.unexpected,
            summary.chargeback, summary.pending) == (2, 1, 2, 1, 2, 2)  # fmt: skip
    assert summary.batches == ["B1"] and summary.settled_through == DAY and not summary.clean


def test_nothing_settled_yet_leaves_everything_pending() -> None:
    report = reconcile("c1", [], [posted("P-1", 100)], AT)
    assert statuses(report.lines) == {"P-1": MatchStatus.PENDING}
    assert report.summary.clean and report.summary.settled_through is None
