"""Turning the HealthPay24 portal's displayed text into typed values.

HealthPay24 prints amounts as ``USD 1,234.50``, dates day-first (``30 Jun 2025``), times on a
24-hour clock and dates of birth as ISO dates. Every parser raises PortalChanged on text it
does not recognise: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar

from models.accounts import AccountStatus
from models.errors import PortalChanged
from models.estimates import EstimateStatus
from models.money import Money
from models.payments import PaymentMethodKind
from models.sessions import MfaMethod
from models.statements import StatementStatus
from portals import parsing_common as common

_MONEY = re.compile(r"(?P<minus>-)?USD (?P<whole>\d{1,3}(?:,\d{3})*)\.(?P<cents>\d{2})")
_DATE_FORMAT = "%d %b %Y"  # "3 Jun 2025"
_TIMESTAMP_FORMAT = "%d %b %Y %H:%M UTC"  # "3 Jun 2025 14:05 UTC"
_CODE = re.compile(r"(?P<code>[A-Z0-9]{5}) \((?P<system>CPT|HCPCS)\)")
_METHOD = re.compile(r"(?P<brand>.+?)(?P<bank> account)? ending in (?P<last4>\d{4})")
_TEXTED_TO = re.compile(r"(?P<sentence>We texted a security code to (?P<destination>.+?\d{4})\.)")
_STATEMENT_STATUSES = {
    "Balance due": StatementStatus.ISSUED,
    "Partially paid": StatementStatus.ISSUED,
    "Paid in full": StatementStatus.BALANCED,
}
_ACCOUNT_STATUSES = {
    "Open": AccountStatus.ACTIVE,
    "Closed": AccountStatus.INACTIVE,
    "On hold": AccountStatus.ON_HOLD,
}
_ESTIMATE_STATUSES = {
    "Active": EstimateStatus.ACTIVE,
    "Deposit paid": EstimateStatus.DEPOSIT_PAID,
    "Expired": EstimateStatus.EXPIRED,
}
NO_NOTE = ("—", "-", "")
_Status = TypeVar("_Status")

form_amount = common.form_amount


def money(text: str, field: str) -> Money:
    match = _MONEY.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(f"{field} is not an amount in the expected format")
    cents = int(match["whole"].replace(",", "")) * 100 + int(match["cents"])
    return Money(amount_cents=-cents if match["minus"] else cents)


def day(text: str, field: str) -> date:
    return common.day(text, _DATE_FORMAT, field)


def birth_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PortalChanged(f"{field} is not an ISO date") from None


def timestamp(text: str, field: str) -> datetime:
    return common.utc_timestamp(text, _TIMESTAMP_FORMAT, field)


def procedure_code(text: str) -> tuple[str, str]:
    """("CPT", "99284") from "99284 (CPT)"."""
    match = _CODE.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("a procedure code is not shown as '<code> (CPT|HCPCS)'")
    return match["system"], match["code"]


def payment_method(text: str) -> tuple[PaymentMethodKind, str]:
    """(CARD, "4242") from "Visa ending in 4242"; (ACH, "6789") from "Checking account ending
    in 6789"."""
    match = _METHOD.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("a payment method is not shown as '<brand> ending in <last4>'")
    kind = PaymentMethodKind.ACH if match["bank"] else PaymentMethodKind.CARD
    return kind, match["last4"]


def statement_status(text: str) -> StatementStatus:
    return _lookup(_STATEMENT_STATUSES, text, "a statement")


def account_status(text: str) -> AccountStatus:
    return _lookup(_ACCOUNT_STATUSES, text, "an account")


def estimate_status(text: str) -> EstimateStatus:
    return _lookup(_ESTIMATE_STATUSES, text, "an estimate")


def note(text: str) -> str:
    """The portal shows an empty payment note as a dash."""
    cleaned = text.strip()
    return "" if cleaned in NO_NOTE else cleaned


def switch(text: str, field: str) -> bool:
    """ "On" / "Off"."""
    cleaned = text.strip()
    if cleaned not in ("On", "Off"):
        raise PortalChanged(f"{field} is neither On nor Off")
    return cleaned == "On"


def texted_to(text: str) -> tuple[MfaMethod, str, str]:
    """(SMS, "(***) ***-0112", "We texted a security code to (***) ***-0112.")."""
    match = _TEXTED_TO.match(text.strip())
    if match is None:
        raise PortalChanged("the verification screen does not say where the code was texted")
    return MfaMethod.SMS, match["destination"], match["sentence"]


def _lookup(table: dict[str, _Status], text: str, what: str) -> _Status:
    return common.lookup(table, text, f"{what} has a status the adapter does not know")
