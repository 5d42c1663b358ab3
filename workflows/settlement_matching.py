"""Matching a portal's settlement batches against the money BillBridge moved: pure and
deterministic, so the workflow runs it itself.

- A posting (payment or refund) whose number is in a settled batch with the same amount is
  **matched**; with another amount, **amount differs**.
- A posting in no settled batch is **pending** while an open batch holds it, or while it was
  made after the last settled business day; otherwise it is **missing**. The posting's UTC
  date stands in for its business day, so a payment made after the portal's cutoff counts
  towards the day before and may show as missing until its own batch settles.
- A settled payment or refund BillBridge did not move is **unexpected**.
- A **chargeback** names its payment by number where the file says it (HealthPay24) or by
  the reference the payment was posted with (Patientco).
"""

from __future__ import annotations

from datetime import datetime

from models.reconciliation import (
    MatchStatus,
    PostedMoney,
    ReconciliationLine,
    ReconciliationReport,
    ReconciliationSummary,
)
from models.settlements import (
    SettlementBatch,
    SettlementDetail,
    SettlementDetailType,
    SettlementStatus,
)


def reconcile(
    connection_id: str,
    batches: list[SettlementBatch],
    posted: list[PostedMoney],
    at: datetime,
) -> ReconciliationReport:
    settled = [b for b in batches if b.status is SettlementStatus.SETTLED]
    settled_through = max((b.period_end for b in settled), default=None)
    in_settled = _by_number(settled)
    in_open = _by_number([b for b in batches if b.status is not SettlementStatus.SETTLED])
    postings = _unique(posted)
    lines: list[ReconciliationLine] = []

    for money in postings.values():
        found = in_settled.get(money.number)
        expected = _signed(money)
        if found is not None:
            batch_id, detail = found
            status = (
                MatchStatus.MATCHED
                if abs(detail.amount.amount_cents) == money.amount_cents
                else MatchStatus.AMOUNT_DIFFERS
            )
            lines.append(_line(status, money.number, batch_id, expected, detail))
        elif (
            money.number in in_open
            or settled_through is None
            or (money.posted_at.date() > settled_through)
        ):
            lines.append(ReconciliationLine(status=MatchStatus.PENDING, number=money.number,
                                            expected_cents=expected))  # fmt: skip
        else:
            lines.append(ReconciliationLine(status=MatchStatus.MISSING, number=money.number,
                                            expected_cents=expected))  # fmt: skip

    by_reference = {m.reference: m.number for m in postings.values() if m.reference}
    for batch in settled:
        for detail in batch.details:
            if detail.type is SettlementDetailType.CHARGEBACK:
                payment = detail.reverses or by_reference.get(detail.reference or "")
                lines.append(_line(MatchStatus.CHARGEBACK, detail.identifier, batch.identifier,
                                   None, detail, payment_number=payment))  # fmt: skip
            elif detail.identifier not in postings:
                lines.append(_line(MatchStatus.UNEXPECTED, detail.identifier, batch.identifier,
                                   None, detail))  # fmt: skip

    counts = {status: sum(1 for line in lines if line.status is status) for status in MatchStatus}
    summary = ReconciliationSummary(
        connection_id=connection_id,
        reconciled_at=at,
        batches=[b.identifier for b in settled],
        settled_through=settled_through,
        **{status.value: count for status, count in counts.items()},
    )
    return ReconciliationReport(summary=summary, lines=lines)


def _by_number(batches: list[SettlementBatch]) -> dict[str, tuple[str, SettlementDetail]]:
    return {
        detail.identifier: (batch.identifier, detail)
        for batch in batches
        for detail in batch.details
        if detail.type is not SettlementDetailType.CHARGEBACK
    }


def _unique(posted: list[PostedMoney]) -> dict[str, PostedMoney]:
    # A retried payment found already posted is audited twice under one number.
    found: dict[str, PostedMoney] = {}
    for money in sorted(posted, key=lambda m: m.posted_at):
        found.setdefault(money.number, money)
    return found


def _signed(money: PostedMoney) -> int:
    # Refunds leave the merchant's account: the export shows them negative.
    return -money.amount_cents if money.action.startswith("refund") else money.amount_cents


def _line(
    status: MatchStatus,
    number: str,
    batch_id: str,
    expected: int | None,
    detail: SettlementDetail,
    *,
    payment_number: str | None = None,
) -> ReconciliationLine:
    return ReconciliationLine(
        status=status, number=number, batch_id=batch_id, expected_cents=expected,
        settled_cents=detail.amount.amount_cents, payment_number=payment_number,
    )  # fmt: skip
