"""A payment plan's schedule: monthly due dates and installment amounts, in integer cents.

Pure arithmetic, no database: the autopay engine (``sandbox.common.autopay``) and its unit
tests both read it. Due dates hang off the enrollment date's day of the month, clamped to
short months (enrolled on Jan 31: Feb 28, Mar 31, Apr 30…), as card-on-file billing does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ScheduledInstallment:
    number: int
    due_on: date
    amount_cents: int


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def installment_count(balance_cents: int, installment_cents: int) -> int:
    """How many monthly installments pay off the balance (the last one the remainder)."""
    if installment_cents <= 0:
        raise ValueError("an installment must be more than zero")
    return -(-balance_cents // installment_cents)


def amounts(balance_cents: int, installment_cents: int) -> list[int]:
    """Equal installments, the last one what is left (never zero, never more than the rest)."""
    count = installment_count(balance_cents, installment_cents)
    return [installment_cents] * (count - 1) + [balance_cents - installment_cents * (count - 1)]


def schedule(
    anchor: date, balance_cents: int, installment_cents: int, *, first_number: int = 1,
    first_month: int = 1,
) -> list[ScheduledInstallment]:  # fmt: skip
    """Installments ``first_number``… due ``first_month``, ``first_month + 1``… months after
    ``anchor`` (the enrollment date), covering ``balance_cents``."""
    return [
        ScheduledInstallment(first_number + offset, add_months(anchor, first_month + offset), cents)
        for offset, cents in enumerate(amounts(balance_cents, installment_cents))
    ]


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (how far a due date is in the term)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months if add_months(start, months) <= end else months - 1
