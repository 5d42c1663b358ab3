"""What Cedar's error messages mean, as BillBridge's typed errors.

The sign-in page and the pay form answer in sentences; these map the sentences the portal
is known to use and call anything else a changed portal rather than guess.
"""

from __future__ import annotations

from models.errors import (
    AccountLocked,
    AmountExceedsBalance,
    BadCredentials,
    InsufficientFunds,
    InvalidAmount,
    PaymentDeclined,
    PortalChanged,
    UnknownPaymentMethod,
)


def sign_in_refusal(alert: str | None) -> Exception:
    text = (alert or "").lower()
    if "locked" in text:
        return AccountLocked("login: the portal reports this login as locked")
    if "invalid username or password" in text:
        return BadCredentials("login: the portal rejected the username or password")
    return PortalChanged("login: sign-in did not lead to the verification code screen")


def form_refusal(errors: list[str]) -> Exception:
    """The pay form's errors; every one of them means nothing was charged or recorded."""
    text = " ".join(errors).lower()
    if "cannot exceed the balance due" in text:
        return AmountExceedsBalance("the amount is more than the statement's balance due")
    if "not on file" in text:
        return UnknownPaymentMethod("the payment method is not on file at the portal")
    if "insufficient funds" in text:
        return InsufficientFunds("the processor declined the charge: insufficient funds")
    if "declined" in text:
        return PaymentDeclined("the processor declined the charge")
    if "greater than" in text or "valid amount" in text:
        return InvalidAmount("the portal refused the amount")
    return PortalChanged("pay_submit: the portal refused the payment for an unknown reason")
