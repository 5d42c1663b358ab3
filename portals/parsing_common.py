"""Text-to-value parsing every portal adapter does the same way, whatever the vendor's format.

Each vendor's ``parsing`` module keeps its own formats (date patterns, money and code layouts,
status words) and calls these with them. Every parser raises PortalChanged on text it does not
recognise, naming the field: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TypeVar

from models.errors import PortalChanged
from models.money import Money, parse_amount_to_cents
from models.payments import PaymentMethodKind

_T = TypeVar("_T")


def plain_money(text: str, field: str) -> Money:
    """An amount with no currency mark: "12.34", "$1,234.50", "-5.00"."""
    try:
        return Money(amount_cents=parse_amount_to_cents(text))
    except ValueError:
        raise PortalChanged(f"{field} is not an amount") from None


def day(text: str, date_format: str, field: str) -> date:
    try:
        return datetime.strptime(text.strip(), date_format).date()
    except ValueError:
        raise PortalChanged(f"{field} is not a date in the expected format") from None


def utc_timestamp(text: str, timestamp_format: str, field: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), timestamp_format).replace(tzinfo=UTC)
    except ValueError:
        raise PortalChanged(f"{field} is not a timestamp in the expected format") from None


def lookup(table: dict[str, _T], text: str, unknown: str) -> _T:
    """The value a displayed word stands for; PortalChanged(unknown) for a word not in table."""
    try:
        return table[text.strip()]
    except KeyError:
        raise PortalChanged(unknown) from None


def procedure_code(text: str, layout: re.Pattern[str], unknown: str) -> tuple[str, str]:
    """(system, code), ("CPT", "99213"), from text in the vendor's ``layout`` (groups ``system``
    and ``code``); PortalChanged(unknown) for text in another layout."""
    match = layout.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(unknown)
    return match["system"], match["code"]


def payment_method(
    text: str, layout: re.Pattern[str], unknown: str
) -> tuple[PaymentMethodKind, str]:
    """(kind, last4) from text in the vendor's ``layout``: group ``last4``, and group ``ach``
    matched only for a bank account; PortalChanged(unknown) for text in another layout."""
    match = layout.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(unknown)
    kind = PaymentMethodKind.ACH if match["ach"] else PaymentMethodKind.CARD
    return kind, match["last4"]


def form_amount(cents: int) -> str:
    """What a person would type for this amount: "1234.50"."""
    whole, rest = divmod(cents, 100)
    return f"{whole}.{rest:02d}"
