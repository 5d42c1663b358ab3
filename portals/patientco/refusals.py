"""What the Patientco console and Patientco ID's messages mean, as BillBridge's typed errors.

Known sentences only; anything else is a changed portal rather than a guess.
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
    PortalUnavailable,
    UnknownPaymentMethod,
)


def sign_in_refusal(alert: str | None) -> Exception:
    text = (alert or "").lower()
    if "locked" in text:
        return AccountLocked("login: Patientco ID reports this login as locked")
    if "couldn't sign you in" in text:
        return BadCredentials("login: Patientco ID rejected the username or password")
    return PortalChanged("login: sign-in did not lead to the security code screen")


def form_refusal(errors: list[str]) -> Exception:
    """The post-payment form's errors; every one of them means nothing was charged or posted."""
    text = " ".join(errors).lower()
    if "exceeds the open balance" in text:
        return AmountExceedsBalance("the amount is more than the statement's open balance")
    if "payment method on file" in text:
        return UnknownPaymentMethod("the payment method is not on file for this guarantor")
    if "declined by processor: insufficient_funds" in text:
        return InsufficientFunds("the processor declined the charge: insufficient funds")
    if "declined by processor" in text:
        return PaymentDeclined("the processor declined the charge")
    if "processor is unavailable" in text:
        return PortalUnavailable("pay_submit: the portal could not reach its processor")
    if "amount" in text:
        return InvalidAmount("the portal refused the amount")
    return PortalChanged("pay_submit: the portal refused the payment for an unknown reason")
