"""Turning the Patientco console's displayed text into typed values and normalized models.

The console prints money as "USD 1,234.50", dates as "06/30/2025", periods as
"06/01/2025 – 06/30/2025", procedure codes as "99213 (CPT)" and payment methods as
"Visa x4242" or "ACH Checking x6789". Every parser raises PortalChanged on text it does not
recognise: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal, TypeVar, cast

from models.accounts import Account, AccountStatus, Encounter, Guarantor
from models.errors import (
    AmountExceedsBalance,
    InsufficientFunds,
    InvalidAmount,
    PaymentDeclined,
    PaymentNotRefundable,
    PortalChanged,
    PortalUnavailable,
    RefundExceedsNet,
    UnknownPaymentMethod,
)
from models.money import Money, parse_amount_to_cents
from models.payments import Payment, PaymentMethodKind, PaymentStatus
from models.refunds import Refund, RefundKind, RefundReason
from models.sessions import MfaMethod
from models.statements import LineItem, Statement, StatementStatus, StatementSummary
from models.vendor_extensions import PatientcoAccountExtension, PatientcoStatementExtension
from portals import parsing_common as common
from portals.refusals import Refusal, refusal

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
# Every post-payment form error means nothing was charged or posted.
_PAY_FORM_REFUSALS = (
    Refusal(("exceeds the open balance",), AmountExceedsBalance,
            "the amount is more than the statement's open balance"),
    Refusal(("payment method on file",), UnknownPaymentMethod,
            "the payment method is not on file for this guarantor"),
    Refusal(("declined by processor: insufficient_funds",), InsufficientFunds,
            "the processor declined the charge: insufficient funds"),
    Refusal(("declined by processor",), PaymentDeclined, "the processor declined the charge"),
    Refusal(("processor is unavailable",), PortalUnavailable,
            "pay_submit: the portal could not reach its processor"),
    Refusal(("amount",), InvalidAmount, "the portal refused the amount"),
)  # fmt: skip
Channel = Literal["email", "sms", "paper"]
Delivery = Literal["delivered", "bounced", "pending"]
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
    return common.procedure_code(text, _CODE, "a charge's code is not a CPT or HCPCS code")


def payment_method(text: str) -> tuple[PaymentMethodKind, str]:
    """(kind, last4) from "Visa x4242" or "ACH Checking x6789"."""
    return common.payment_method(
        text, _METHOD, "the payment method is not shown as '<brand> x<last4>'"
    )


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


def code_destination(text: str) -> tuple[MfaMethod, str, str]:
    """(EMAIL, "e***@example.com", "We sent a 6-digit code to e***@example.com."): Patientco ID
    sends codes by email only."""
    match = _SENT_TO.search(text.strip())
    if match is None:
        raise PortalChanged("the verification screen does not say where the code was sent")
    return MfaMethod.EMAIL, match["destination"], match["sentence"]


def _lookup(table: dict[str, _T], text: str, what: str) -> _T:
    return common.lookup(table, text, f"{what} the adapter does not know")


def pay_form_refusal(errors: list[str]) -> Exception:
    return refusal(
        errors, _PAY_FORM_REFUSALS,
        "pay_submit: the portal refused the payment for an unknown reason",
    )  # fmt: skip


def account(facts: dict[str, str], patients: list[dict[str, str]],
            visits: list[dict[str, str]]) -> Account:  # fmt: skip
    """A guarantor account from its page: the facts, the patients it covers, their visits."""
    own = next((p["MRN"] for p in patients if p["Relationship"] == "Self"), None)
    return Account(
        identifier=facts["Account #"],
        name=facts["Name"],
        status=account_status(facts["Account status"]),
        guarantor=Guarantor(
            identifier=facts["Guarantor #"], name=facts["Name"],
            birth_date=day(facts["Date of birth"], "date of birth"), mrn=own,
        ),
        balance=money(facts["Account balance"], "account balance"),
        encounters=[
            Encounter(identifier=v["Encounter"], facility=v["Facility"],
                      period_start=day(v["Date of service"], "date of service"),
                      service_type=v["Service line"])
            for v in visits
        ],
        extension=PatientcoAccountExtension(
            facility=visits[0]["Facility"] if visits else None,
            guarantor_number=facts["Guarantor #"],
            patient_mrns=tuple(p["MRN"] for p in patients),
        ),
    )  # fmt: skip


def statement_summary(row: dict[str, str]) -> StatementSummary:
    start, end = period(row["Statement period"], "statement period")
    channel, status = delivery(row["Delivery"])
    return StatementSummary(
        statement_id=row["Statement #"],
        issued_on=day(row["Issued"], "issued"),
        due_on=day(row["Due"], "due date"),
        total=money(row["Billed"], "billed"),
        balance=money(row["Balance"], "balance"),
        status=statement_status(row["Status"]),
        extension=PatientcoStatementExtension(
            period_start=start, period_end=end, delivery_channel=cast(Channel, channel),
            delivery_status=cast(Delivery, status), guarantor_number=row["Guarantor #"],
        ),
    )  # fmt: skip


def statement(statement_id: str, fields: dict[str, str], items: list[LineItem]) -> Statement:
    channel, status = delivery(fields["Delivery"])
    start, end = period(fields["Statement period"], "statement period")
    return Statement(
        statement_id=statement_id,
        issued_on=day(fields["Issued"], "issued"),
        due_on=day(fields["Due"], "due date"),
        total=money(fields["Billed"], "billed"),
        balance=money(fields["Balance"], "balance"),
        status=statement_status(fields["Status"]),
        account_number=fields["Account #"],
        line_items=items,
        extension=PatientcoStatementExtension(
            period_start=start, period_end=end, delivery_channel=cast(Channel, channel),
            delivery_status=cast(Delivery, status), account_number=fields["Account #"],
        ),
    )  # fmt: skip


def line_item(row: dict[str, str]) -> LineItem:
    system, code = procedure_code(row["CPT/HCPCS"])
    return LineItem(
        service_date=day(row["DOS"], "date of service"),
        code=code,
        code_system=system,
        description=row["Description"],
        charge=money(row["Gross charge"], "gross charge"),
        patient_responsibility=money(row["Guarantor resp."], "guarantor responsibility"),
    )


def payment(fields: dict[str, str], *, method: str) -> Payment:
    """A payment from a Transactions row (``method="Method"``) or its transaction page
    (``"Payment method"``): the other names are alike."""
    kind, last4 = payment_method(fields[method])
    return Payment(
        confirmation_number=fields["Transaction ID"],
        statement_id=applied_to(fields["Applied to"]),
        amount=money(fields["Amount"], "payment amount"),
        reference=reference(fields["Reference"]),
        method_last4=last4,
        method_kind=kind,
        posted_at=timestamp(fields["Posted"], "posted"),
        status=payment_status(fields["Status"]),
    )


# The statement's balance after the payment, on the confirmation right after posting:
# "Remaining balance", or "Balance remaining" since the redesign.
BALANCE_REMAINING_TERMS = ("Remaining balance", "Balance remaining")


def balance_remaining(fields: dict[str, str]) -> Money | None:
    """The balance the confirmation says is left on the statement; None when it shows none
    (the caller then reads the statement)."""
    for term in BALANCE_REMAINING_TERMS:
        if term in fields:
            return money(fields[term], "balance remaining")
    return None


# The console's refund reason codes (its void form lists the same).
REASON_CODES = {
    RefundReason.DUPLICATE: "DUP",
    RefundReason.OVERPAYMENT: "OVP",
    RefundReason.PATIENT_REQUEST: "PTR",
    RefundReason.BILLING_ERROR: "BIL",
}
_REVERSAL_KINDS = {"Refund": RefundKind.REFUND, "Void": RefundKind.VOID}
# "PCR-ABC123 (PCO-XYZ789)": a refund and the payment it gives back on; a void shows the
# payment's own id.
_REVERSAL_ID = re.compile(r"(?P<id>[A-Z0-9-]+)(?:\s+\((?P<payment>[A-Z0-9-]+)\))?")
# Every void/refund form error means nothing was given back.
_REVERSAL_REFUSALS = (
    Refusal(("cannot exceed",), RefundExceedsNet,
            "the portal refused a refund above what is left of the payment"),
    Refusal(("can be voided",), PaymentNotRefundable,
            "the portal no longer offers a void of this payment (settled, or refunded)"),
    Refusal(("cannot be refunded",), PaymentNotRefundable,
            "the portal offers no refund of this payment (voided, fully refunded or unsettled)"),
    Refusal(("processor is unavailable",), PortalUnavailable,
            "refund: the portal could not reach its processor"),
    Refusal(("reason code",), PortalChanged, "refund: the portal refused the reason code"),
)  # fmt: skip


def is_reversal_row(row: dict[str, str]) -> bool:
    return row["Type"] in _REVERSAL_KINDS


def reversal(row: dict[str, str]) -> Refund:
    """A void or refund from its Transactions row (its memo holds our reference)."""
    match = _REVERSAL_ID.fullmatch(row["Transaction ID"].strip())
    if match is None:
        raise PortalChanged("transactions: a refund row's transaction id is not as expected")
    kind = _REVERSAL_KINDS[row["Type"]]
    return Refund(
        refund_id=match["id"],
        confirmation_number=match["payment"] or match["id"],
        kind=kind,
        amount=Money(amount_cents=abs(money(row["Amount"], "refund amount").amount_cents)),
        reference=row["Memo"].strip(),
        created_at=timestamp(row["Posted"], "refunded"),
    )


def reversal_refusal(errors: list[str]) -> Exception:
    return refusal(
        errors, _REVERSAL_REFUSALS,
        "refund: the portal refused the void or refund for an unknown reason",
    )  # fmt: skip
