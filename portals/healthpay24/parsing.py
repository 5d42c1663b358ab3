"""Turning the HealthPay24 portal's displayed text into typed values and normalized models.

HealthPay24 is accounts-first: a login's person is the guarantor of every account it sees
(their own, a dependent's), each account lists its visits (encounters) and statements.
Vendor-only fields go into the typed HealthPay24 extensions.

HealthPay24 prints amounts as ``USD 1,234.50``, dates day-first (``30 Jun 2025``), times on a
24-hour clock and dates of birth as ISO dates. Every parser raises PortalChanged on text it
does not recognise: a changed format must fail loudly, never be guessed at.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TypeVar

from models.accounts import Account, AccountStatus, Encounter, Guarantor
from models.deposits import Deposit, DepositStatus
from models.errors import PortalChanged
from models.estimates import Estimate, EstimateLine, EstimateStatus
from models.money import Money
from models.payments import Payment, PaymentMethodKind
from models.sessions import MfaMethod
from models.statements import LineItem, Statement, StatementStatus, StatementSummary
from models.vendor_extensions import HealthPay24AccountExtension, HealthPay24StatementExtension
from portals import parsing_common as common

_MONEY = re.compile(r"(?P<minus>-)?USD (?P<whole>\d{1,3}(?:,\d{3})*)\.(?P<cents>\d{2})")
_DATE_FORMAT = "%d %b %Y"  # "3 Jun 2025"
_TIMESTAMP_FORMAT = "%d %b %Y %H:%M UTC"  # "3 Jun 2025 14:05 UTC"
_CODE = re.compile(r"(?P<code>[A-Z0-9]{5}) \((?P<system>CPT|HCPCS)\)")
_METHOD = re.compile(r"(?P<brand>.+?)(?P<ach> account)? ending in (?P<last4>\d{4})")
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
PDF_LINK_TEXT = "PDF"
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
    return common.procedure_code(
        text, _CODE, "a procedure code is not shown as '<code> (CPT|HCPCS)'"
    )


def payment_method(text: str) -> tuple[PaymentMethodKind, str]:
    """(CARD, "4242") from "Visa ending in 4242"; (ACH, "6789") from "Checking account ending
    in 6789"."""
    return common.payment_method(
        text, _METHOD, "a payment method is not shown as '<brand> ending in <last4>'"
    )


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


def account(number: str, fields: dict[str, str], visits: list[dict[str, str]]) -> Account:
    return Account(
        identifier=number,
        name=fields["Patient"],
        status=account_status(fields["Account status"]),
        guarantor=Guarantor(
            identifier=fields["Guarantor ID"],
            name=fields["Guarantor"],
            birth_date=birth_date(fields["Guarantor date of birth"], "date of birth"),
        ),
        balance=money(fields["Current balance"], "account balance"),
        encounters=[
            Encounter(
                identifier=visit["Visit number"],
                period_start=day(visit["Visit date"], "visit date"),
                service_type=visit["Department"],
                facility=visit["Facility"],
            )
            for visit in visits
        ],
        extension=HealthPay24AccountExtension(
            autopay_enrolled=switch(fields["Autopay"], "autopay")
        ),
    )


def statement_summary(row: dict[str, str], account_number: str) -> StatementSummary:
    return StatementSummary(
        statement_id=row["Statement"],
        issued_on=day(row["Statement date"], "statement date"),
        due_on=day(row["Due by"], "due date"),
        total=money(row["Amount billed"], "amount billed"),
        balance=money(row["Amount due"], "amount due"),
        status=statement_status(row["Status"]),
        extension=HealthPay24StatementExtension(
            pdf_available=row["Document"] == PDF_LINK_TEXT,
            encounter_id=row["Visit number"],
            account_number=account_number,
        ),
    )


def statement(
    statement_id: str, fields: dict[str, str], charges: list[dict[str, str]], pdf_available: bool
) -> Statement:
    return Statement(
        statement_id=statement_id,
        issued_on=day(fields["Statement date"], "statement date"),
        due_on=day(fields["Payment due by"], "due date"),
        total=money(fields["Amount billed"], "amount billed"),
        balance=money(fields["Amount due"], "amount due"),
        status=statement_status(fields["Status"]),
        account_number=fields["Account number"],
        line_items=[_line_item(row) for row in charges],
        extension=HealthPay24StatementExtension(
            pdf_available=pdf_available,
            encounter_id=fields["Visit"],
            account_number=fields["Account number"],
        ),
    )


def _line_item(row: dict[str, str]) -> LineItem:
    system, code = procedure_code(row["Procedure code"])
    return LineItem(
        service_date=day(row["Date of service"], "date of service"),
        code=code,
        code_system=system,
        description=row["Description"],
        charge=money(row["Charges"], "charges"),
        patient_responsibility=money(row["You owe"], "patient responsibility"),
    )


def payment(fields: dict[str, str], *, confirmation: str, amount: str) -> Payment:
    """A payment from an activity row (``confirmation="Confirmation", amount="Amount"``) or
    the receipt (``"Confirmation number"``, ``"Amount paid"``): the other names are alike."""
    kind, last4 = payment_method(fields["Payment method"])
    return Payment(
        confirmation_number=fields[confirmation],
        statement_id=fields["Statement"],
        amount=money(fields[amount], "payment amount"),
        reference=note(fields["Payment note"]),
        method_last4=last4,
        method_kind=kind,
        posted_at=timestamp(fields["Paid on"], "payment date"),
    )


def estimate(number: str, fields: dict[str, str], procedures: list[dict[str, str]]) -> Estimate:
    if not number or not procedures:
        raise PortalChanged("estimates: an estimate has no number or no procedures")
    lines = [_estimate_line(row) for row in procedures]
    responsibility = money(fields["Your estimated cost"], "estimated cost")
    summed = sum(line.patient_responsibility.amount_cents for line in lines)
    if responsibility.amount_cents != summed:
        raise PortalChanged("estimates: the estimated cost is not the sum of its procedures")
    return Estimate(
        identifier=number,
        status=estimate_status(fields["Status"]),
        service_date=day(fields["Planned service date"], "planned service date"),
        account=fields["Account number"],
        lines=lines,
        patient_responsibility=responsibility,
        deposit_due=money(fields["Deposit due"], "deposit due"),
    )


def _estimate_line(row: dict[str, str]) -> EstimateLine:
    system, code = procedure_code(row["Procedure code"])
    return EstimateLine(
        code=code,
        code_system=system,
        description=row["Description"],
        expected_charge=money(row["Expected charge"], "expected charge"),
        patient_responsibility=money(row["Your estimated cost"], "estimated cost"),
    )


_DEPOSIT_STATUSES = {
    "Held for your upcoming visit": DepositStatus.HELD,
    "Applied to your bill": DepositStatus.APPLIED,
}


def deposit(deposit_id: str, fields: dict[str, str]) -> Deposit:
    """One deposit's page; where it went (statement, amount, date) only once applied."""
    status = _lookup(_DEPOSIT_STATUSES, fields["Status"], "a deposit")
    held = Deposit(
        deposit_id=deposit_id,
        estimate_id=fields["Estimate"],
        amount=money(fields["Amount"], "deposit amount"),
        reference=note(fields["Deposit note"]),
        collected_on=day(fields["Collected on"], "collected on"),
        encounter_id=fields["Visit"],
        service_date=day(fields["Planned service date"], "planned service date"),
        expected_billing_date=day(fields["Expected billing date"], "expected billing date"),
        status=status,
    )
    if status is DepositStatus.HELD:
        return held
    if not {"Applied to statement", "Amount applied", "Applied on"} <= fields.keys():
        raise PortalChanged("deposit: an applied deposit does not say where it went")
    return held.model_copy(
        update={
            "statement_id": fields["Applied to statement"],
            "amount_applied": money(fields["Amount applied"], "amount applied"),
            "applied_on": day(fields["Applied on"], "applied on"),
        }
    )
