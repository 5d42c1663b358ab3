"""How the console shows and reads amounts and dates: "USD 1,234.50", "06/30/2025".

Revenue-cycle consoles print the currency code rather than a symbol and US numeric dates;
Patientco's do too, which is exactly why an adapter written for Cedar cannot read them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}USD {cents // 100:,}.{cents % 100:02d}"


def plain_amount(cents: int) -> str:
    """For CSV exports: "1234.50", "-5.00"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def us_date(value: str | date | None) -> str:
    if value is None or value == "":
        return ""
    parsed = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{parsed:%m/%d/%Y}"


def timestamp(value: str | datetime) -> str:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed:%m/%d/%Y %H:%M} UTC"


def parse_amount(text: str) -> int | None:
    """Cents from what staff typed ("1,234.5", "USD 20", "$20"), or None if not an amount."""
    cleaned = text.strip().upper().removeprefix("USD").replace("$", "").replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int(value * 100)
