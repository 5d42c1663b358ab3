"""Turning the Patientco console's displayed text into typed values.

The console prints money as "USD 1,234.50", dates as "06/30/2025", periods as
"06/01/2025 – 06/30/2025", procedure codes as "99213 (CPT)" and payment methods as
"Visa x4242" or "ACH Checking x6789". Every parser raises PortalChanged on text it does not
recognise: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar

from models.accounts import AccountStatus
from models.errors import PortalChanged
from models.money import Money, parse_amount_to_cents
from models.payments import PaymentMethodKind, PaymentStatus
from models.statements import StatementStatus
from portals import parsing_common as common

_DATE_FORMAT = "%m/%d/%Y"
_TIMESTAMP_FORMAT = "%m/%d/%Y %H:%M UTC"
_MONEY = re.compile(r"(?P<minus>-)?USD\s+(?P<amount>\d{1,3}(?:,\d{3})*\.\d{2})")
_PERIOD = re.compile(r"(?P<start>\d{2}/\d{2}/\d{4})\s*[–-]\s*(?P<end>\d{2}/\d{2}/\d{4})")
_CODE = re.compile(r"(?P<code>[A-Z0-9]{5}) \((?P<system>CPT|HCPCS)\)")
_METHOD = re.compile(r"(?P<ach>ACH )?(?P<brand>.+?) x(?P<last4>\d{4})")
_SENT_TO = re.compile(r"(?P<sentence>We sent a 6-digit code to (?P<destination>\S+?)\.)(\s|$)")
_STATEMENT_STATUSES = {
    "Open": StatementStatus.ISSUED,
    "Partial": StatementStatus.ISSUED,
    "Paid": StatementStatus.BALANCED,
}
_ACCOUNT_STATUSES = {
    "Active": AccountStatus.ACTIVE,
    "On hold": AccountStatus.ON_HOLD,
    "Inactive": AccountStatus.INACTIVE,
}
_PAYMENT_STATUSES = {
    "Posted": PaymentStatus.PAID,
    "Partially refunded": PaymentStatus.PAID,
    "Refunded": PaymentStatus.REFUNDED,
    "Voided": PaymentStatus.VOIDED,
}
_CHANNELS = {"Email": "email", "SMS": "sms", "Paper": "paper"}
_DELIVERY = {"Delivered": "delivered", "Bounced": "bounced", "Pending": "pending"}
ACCOUNT_BALANCE = "Account balance"
_T = TypeVar("_T")

form_amount = common.form_amount


def money(text: str, field: str) -> Money:
    match = _MONEY.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(f"{field} is not an amount in the expected format")
    cents = parse_amount_to_cents(match["amount"])
    return Money(amount_cents=-cents if match["minus"] else cents)


def plain_money(text: str, field: str) -> Money:
    """An export's amount column: "12.34", "-5.00"."""
    return common.plain_money(text, field)


def day(text: str, field: str) -> date:
    return common.day(text, _DATE_FORMAT, field)


def optional_day(text: str, field: str) -> date | None:
    return day(text, field) if text.strip() and text.strip() != "—" else None


def timestamp(text: str, field: str) -> datetime:
    return common.utc_timestamp(text, _TIMESTAMP_FORMAT, field)


def period(text: str, field: str) -> tuple[date, date]:
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise PortalChanged(f"{field} is not a date range")
    return day(match["start"], field), day(match["end"], field)


def procedure_code(text: str) -> tuple[str, str]:
    """("CPT", "99213") from "99213 (CPT)"."""
    match = _CODE.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("a charge's code is not a CPT or HCPCS code")
    return match["system"], match["code"]


def payment_method(text: str) -> tuple[PaymentMethodKind, str]:
    """(kind, last4) from "Visa x4242" or "ACH Checking x6789"."""
    match = _METHOD.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("the payment method is not shown as '<brand> x<last4>'")
    kind = PaymentMethodKind.ACH if match["ach"] else PaymentMethodKind.CARD
    return kind, match["last4"]


def statement_status(text: str) -> StatementStatus:
    return _lookup(_STATEMENT_STATUSES, text, "a statement status")


def account_status(text: str) -> AccountStatus:
    return _lookup(_ACCOUNT_STATUSES, text, "an account status")


def payment_status(text: str) -> PaymentStatus:
    return _lookup(_PAYMENT_STATUSES, text, "a payment status")


def delivery(text: str) -> tuple[str, str]:
    """("email", "bounced") from "Email · Bounced"."""
    channel, _, status = (part.strip() for part in text.partition("·"))
    return _lookup(_CHANNELS, channel, "a delivery channel"), _lookup(
        _DELIVERY, status, "a delivery status"
    )


def applied_to(text: str) -> str:
    """The statement a payment was posted against ("Statement PS204052" or the bare id);
    "" when it was posted against the account balance."""
    cleaned = text.strip()
    if cleaned == ACCOUNT_BALANCE:
        return ""
    return cleaned.removeprefix("Statement ").strip()


def reference(text: str) -> str:
    """The console shows a missing reference as "(none)"."""
    cleaned = text.strip()
    return "" if cleaned == "(none)" else cleaned


def code_destination(text: str) -> tuple[str, str]:
    """("e***@example.com", "We sent a 6-digit code to e***@example.com.")."""
    match = _SENT_TO.search(text.strip())
    if match is None:
        raise PortalChanged("the verification screen does not say where the code was sent")
    return match["destination"], match["sentence"]


def _lookup(table: dict[str, _T], text: str, what: str) -> _T:
    return common.lookup(table, text, f"{what} the adapter does not know")
