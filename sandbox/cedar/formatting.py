"""How the portal shows and reads amounts and dates (Jinja filters and form parsing)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"


def long_date(value: str | date) -> str:
    parsed = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed:%b} {parsed.day}, {parsed.year}"


def timestamp(value: str | datetime) -> str:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed:%b} {parsed.day}, {parsed.year} {parsed:%I:%M %p} UTC"


def parse_amount(text: str) -> int | None:
    """Cents from what a patient typed ("$1,234.5", "20"), or None if it is not an amount."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int(value * 100)
