"""Charging a payment method on file: through the sandbox processor, or locally without one.

Cedar records a payment only once the charge succeeded. With ``--processor-url`` the
processor decides (and keeps every attempt, declines included); a standalone Cedar reads
the outcome straight from the token's test instrument, so declines behave the same.
"""

from __future__ import annotations

import secrets

from sandbox.processor import tokens
from sandbox.processor.client import ChargeResult, ChargeStatus, ProcessorClient

MERCHANT = "cedar"
DECLINED = "Your card was declined. Use another payment method."
INSUFFICIENT_FUNDS = "Insufficient funds. Use another payment method."
DECLINE_MESSAGES = {"card_declined": DECLINED, "insufficient_funds": INSUFFICIENT_FUNDS}
_DECLINE_CODES = {tokens.Outcome.DECLINED: "card_declined",
                  tokens.Outcome.INSUFFICIENT_FUNDS: "insufficient_funds"}  # fmt: skip


def new_checkout_id() -> str:
    """One per rendering of the pay form: submitting that form twice charges once."""
    return secrets.token_urlsafe(12)


def idempotency_key(checkout_id: str, token: str, amount_cents: int) -> str:
    # Another card or amount on the same form is another charge, not a replay of the first.
    return f"cedar:{checkout_id}:{token}:{amount_cents}"


async def charge(
    processor: ProcessorClient | None, token: str, amount_cents: int, key: str
) -> ChargeResult:
    if processor is not None:
        return await processor.charge(token, amount_cents, key)
    instrument = tokens.read(token)
    if instrument is None:
        return ChargeResult(ChargeStatus.INVALID_TOKEN)
    if instrument.outcome is tokens.Outcome.APPROVED:
        return ChargeResult(
            # Keyed like the processor's idempotency, so a resubmitted form is seen as such.
            ChargeStatus.SUCCEEDED, charge_id=f"local:{key}",
            brand=instrument.brand, last4=instrument.last4, kind=instrument.kind.value,
        )  # fmt: skip
    return ChargeResult(ChargeStatus.DECLINED, decline_code=_DECLINE_CODES[instrument.outcome])


def decline_message(result: ChargeResult) -> str:
    return DECLINE_MESSAGES.get(result.decline_code or "", DECLINED)
