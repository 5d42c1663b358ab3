"""How HealthPay24 shows and reads amounts and dates (Jinja filters and form parsing).

Unlike Cedar: amounts as ``USD 1,234.50``, dates day-first (``30 Jun 2025``), times on a
24-hour clock, and dates of birth in ISO form (``1984-03-12``), as hospital systems print them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_TYPED_AMOUNT = re.compile(r"^\$?\s*(\d{1,3}(,\d{3})+|\d+)?(\.\d{1,2})?$")


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}USD {cents // 100:,}.{cents % 100:02d}"


def day(value: str | date) -> str:
    parsed = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed.day} {parsed:%b %Y}"


def birth_date(value: str | date) -> str:
    parsed = date.fromisoformat(value) if isinstance(value, str) else value
    return parsed.isoformat()


def timestamp(value: str | datetime) -> str:
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{parsed.day} {parsed:%b %Y %H:%M} UTC"


def plain_amount(cents: int) -> str:
    """What the amount box is pre-filled with: ``1234.50``."""
    return f"{cents // 100}.{cents % 100:02d}"


def parse_amount(text: str) -> int | None:
    """Cents from what a patient typed ("$1,234.5", "20"), or None if it is not an amount."""
    cleaned = text.strip()
    if not cleaned or _TYPED_AMOUNT.match(cleaned) is None:
        return None
    try:
        value = Decimal(cleaned.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        return None
    return int(value * 100)
