"""Money is integer cents plus an ISO-4217 currency: floats never carry amounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)

    amount_cents: int
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

    def __str__(self) -> str:
        sign = "-" if self.amount_cents < 0 else ""
        cents = abs(self.amount_cents)
        return f"{sign}${cents // 100:,}.{cents % 100:02d}" if self.currency == "USD" else (
            f"{sign}{cents // 100}.{cents % 100:02d} {self.currency}"
        )


def parse_amount_to_cents(text: str) -> int:
    """Parse a displayed amount ("$1,234.50", "12.5", "-$3.00") into integer cents.

    Decimal arithmetic on the string avoids float rounding ("0.29" * 100 != 29 in binary).
    """
    cleaned = text.strip().replace("$", "").replace(",", "").replace("USD", "").strip()
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("-()").strip()
    if not cleaned:
        raise ValueError(f"not an amount: {text!r}")
    whole, _, frac = cleaned.partition(".")
    if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not an amount: {text!r}")
    cents = int(whole or "0") * 100 + int(frac.ljust(2, "0") or "0")
    return -cents if negative else cents
