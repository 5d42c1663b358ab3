"""Money is integer cents plus an ISO-4217 currency: floats never carry amounts."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount_cents: int
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    def __str__(self) -> str:
        sign = "-" if self.amount_cents < 0 else ""
        whole, cents = divmod(abs(self.amount_cents), 100)
        prefix = "$" if self.currency == "USD" else f"{self.currency} "
        return f"{sign}{prefix}{whole:,}.{cents:02d}"


def parse_amount_to_cents(text: str) -> int:
    """Parse a displayed amount ("$1,234.50", "12.5", "-$3.00", "($3.00)") into integer cents.

    Works on the digits, not on floats: 0.29 * 100 is not 29 in binary floating point.
    """
    match = _AMOUNT.fullmatch(text.strip())
    if match is None or not (match["whole"] or match["frac"]):
        raise ValueError(f"not an amount: {text!r}")
    whole = int(match["whole"].replace(",", "") or "0")
    cents = whole * 100 + int((match["frac"] or "").ljust(2, "0"))
    return -cents if match["minus"] or match["paren"] else cents


_AMOUNT = re.compile(
    r"(?P<paren>\()?(?P<minus>-)?\s*\$?\s*(?P<whole>\d{1,3}(?:,\d{3})+|\d*)"
    r"(?:\.(?P<frac>\d{1,2}))?\s*(?:USD)?\)?"
)
