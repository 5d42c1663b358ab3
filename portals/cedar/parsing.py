"""Turning the Cedar portal's displayed text into typed values and normalized models.

Cedar prints plain amounts ("$1,234.50"), US dates ("Mar 4, 2025"), codes as "CPT 99213" and
methods as "Visa ending in 4242". Every parser raises PortalChanged on text it does not
recognise: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from models.errors import (
    AmountExceedsBalance,
    InsufficientFunds,
    InvalidAmount,
    PaymentDeclined,
    PortalChanged,
    UnknownPaymentMethod,
)
from models.money import Money
from models.payments import Payment, PaymentMethodKind
from models.sessions import MfaMethod
from models.statements import LineItem, StatementStatus, StatementSummary
from portals import parsing_common as common
from portals.refusals import Refusal, refusal

form_amount = common.form_amount

_DATE_FORMAT = "%b %d, %Y"  # "Mar 4, 2025"
_TIMESTAMP_FORMAT = "%b %d, %Y %I:%M %p UTC"  # "Mar 4, 2025 03:05 PM UTC"
_CODE = re.compile(r"(?P<system>CPT|HCPCS)\s+(?P<code>[A-Z0-9]{5})")
_CARD = re.compile(r".+ ending in (?P<last4>\d{4})")
_SENT_TO = re.compile(
    r"(?P<sentence>We (?P<verb>sent|emailed) a code to (?P<destination>\S+?)\.)(\s|$)"
)
_BALANCE_DUE = re.compile(r"balance due:?\s*(?P<amount>\S+)", re.IGNORECASE)
# The confirmation's balance left on the statement, in each layout's wording.
_BALANCE_AFTER_TERMS = ("Remaining balance", "Statement balance remaining")
_STATUSES = {
    "Open": StatementStatus.ISSUED,
    "Partially paid": StatementStatus.ISSUED,
    "Past due": StatementStatus.ISSUED,
    "Paid": StatementStatus.BALANCED,
    "Cancelled": StatementStatus.CANCELLED,
}
# Every pay-form error means nothing was charged or recorded.
_PAY_FORM_REFUSALS = (
    Refusal(("cannot exceed the balance due",), AmountExceedsBalance,
            "the amount is more than the statement's balance due"),
    Refusal(("not on file",), UnknownPaymentMethod,
            "the payment method is not on file at the portal"),
    Refusal(("insufficient funds",), InsufficientFunds,
            "the processor declined the charge: insufficient funds"),
    Refusal(("declined",), PaymentDeclined, "the processor declined the charge"),
    Refusal(("greater than",), InvalidAmount, "the portal refused the amount"),
    Refusal(("valid amount",), InvalidAmount, "the portal refused the amount"),
)  # fmt: skip


def money(text: str, field: str) -> Money:
    return common.plain_money(text, field)


def day(text: str, field: str) -> date:
    return common.day(text, _DATE_FORMAT, field)


def timestamp(text: str, field: str) -> datetime:
    return common.utc_timestamp(text, _TIMESTAMP_FORMAT, field)


def procedure_code(text: str) -> tuple[str, str]:
    """("CPT", "99213") from "CPT 99213"."""
    return common.procedure_code(text, _CODE, "a line item's code is not a CPT or HCPCS code")


def card_last4(text: str) -> str:
    match = _CARD.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("the payment method is not shown as '<brand> ending in <last4>'")
    return match["last4"]


def method_kind(text: str) -> PaymentMethodKind:
    """A bank account shows as "Checking ending in 6789" (or Savings); anything else is a card."""
    kind = text.strip().split(" ending in ")[0]
    return PaymentMethodKind.ACH if kind in ("Checking", "Savings") else PaymentMethodKind.CARD


def statement_status(text: str) -> StatementStatus:
    return common.lookup(_STATUSES, text, "a statement has a status the adapter does not know")


def reference(text: str) -> str:
    """The portal shows an empty memo as a dash."""
    cleaned = text.strip()
    return "" if cleaned in ("—", "-") else cleaned


def code_destination(text: str) -> tuple[MfaMethod, str, str]:
    """(SMS, "***-***-0112", "We sent a code to ***-***-0112.") from the verification screen;
    "We emailed a code to …" means EMAIL."""
    match = _SENT_TO.match(text.strip())
    if match is None:
        raise PortalChanged("the verification screen does not say where the code was sent")
    method = MfaMethod.EMAIL if match["verb"] == "emailed" else MfaMethod.SMS
    return method, match["destination"], match["sentence"]


def pay_form_balance(text: str) -> Money:
    """The pay form's "Balance due: $1,234.50" (or "Balance due $1,234.50")."""
    match = _BALANCE_DUE.fullmatch(text.strip())
    if match is None:
        raise PortalChanged("pay_form: the balance due is not shown as 'Balance due: <amount>'")
    return money(match["amount"], "pay_form: the balance due")


def balance_after(fields: dict[str, str]) -> Money | None:
    """The confirmation's balance left on the statement; None when it shows none (the caller
    then reads the statement)."""
    shown = next((fields[term] for term in _BALANCE_AFTER_TERMS if term in fields), None)
    return None if shown is None else money(shown, "pay_submit: the remaining balance")


def pay_form_refusal(errors: list[str]) -> Exception:
    return refusal(
        errors, _PAY_FORM_REFUSALS,
        "pay_submit: the portal refused the payment for an unknown reason",
    )  # fmt: skip


def statement_summary(row: dict[str, str]) -> StatementSummary:
    return StatementSummary(
        statement_id=row["Statement"],
        issued_on=day(row["Statement date"], "statement date"),
        due_on=day(row["Due date"], "due date"),
        total=money(row["Total"], "total"),
        balance=money(row["Balance due"], "balance due"),
        status=statement_status(row["Status"]),
    )


def line_item(row: dict[str, str]) -> LineItem:
    system, code = procedure_code(row["Code"])
    return LineItem(
        service_date=day(row["Service date"], "service date"),
        code=code,
        code_system=system,
        description=row["Description"],
        charge=money(row["Charge"], "charge"),
        patient_responsibility=money(row["Your responsibility"], "patient responsibility"),
    )


def payment(fields: dict[str, str], confirmation_field: str) -> Payment:
    """A payment from a history row ("Confirmation") or the confirmation page
    ("Confirmation number"): the other columns are named alike."""
    return Payment(
        confirmation_number=fields[confirmation_field],
        statement_id=fields["Statement"],
        amount=money(fields["Amount"], "payment amount"),
        reference=reference(fields["Reference"]),
        method_last4=card_last4(fields["Paid with"]),
        method_kind=method_kind(fields["Paid with"]),
        posted_at=timestamp(fields["Date"], "payment date"),
    )
