"""What the HealthPay24 page objects read, as BillBridge's normalized models.

HealthPay24 is accounts-first: a login's person is the guarantor of every account it sees
(their own, a dependent's), each account lists its visits (encounters) and statements.
Vendor-only fields go into the typed HealthPay24 extensions.
"""

from __future__ import annotations

from models.accounts import Account, Encounter, Guarantor
from models.errors import PortalChanged
from models.estimates import Estimate, EstimateLine
from models.payments import Payment
from models.statements import LineItem, Statement, StatementSummary
from models.vendor_extensions import HealthPay24AccountExtension, HealthPay24StatementExtension
from portals.healthpay24 import parsing

PDF_LINK_TEXT = "PDF"


def account(number: str, fields: dict[str, str], visits: list[dict[str, str]]) -> Account:
    return Account(
        identifier=number,
        name=fields["Patient"],
        status=parsing.account_status(fields["Account status"]),
        guarantor=Guarantor(
            identifier=fields["Guarantor ID"],
            name=fields["Guarantor"],
            birth_date=parsing.birth_date(fields["Guarantor date of birth"], "date of birth"),
        ),
        balance=parsing.money(fields["Current balance"], "account balance"),
        encounters=[
            Encounter(
                identifier=visit["Visit number"],
                period_start=parsing.day(visit["Visit date"], "visit date"),
                service_type=visit["Department"],
                facility=visit["Facility"],
            )
            for visit in visits
        ],
        extension=HealthPay24AccountExtension(
            autopay_enrolled=parsing.switch(fields["Autopay"], "autopay")
        ),
    )


def statement_summary(row: dict[str, str], account_number: str) -> StatementSummary:
    return StatementSummary(
        statement_id=row["Statement"],
        issued_on=parsing.day(row["Statement date"], "statement date"),
        due_on=parsing.day(row["Due by"], "due date"),
        total=parsing.money(row["Amount billed"], "amount billed"),
        balance=parsing.money(row["Amount due"], "amount due"),
        status=parsing.statement_status(row["Status"]),
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
        issued_on=parsing.day(fields["Statement date"], "statement date"),
        due_on=parsing.day(fields["Payment due by"], "due date"),
        total=parsing.money(fields["Amount billed"], "amount billed"),
        balance=parsing.money(fields["Amount due"], "amount due"),
        status=parsing.statement_status(fields["Status"]),
        account_number=fields["Account number"],
        line_items=[_line_item(row) for row in charges],
        extension=HealthPay24StatementExtension(
            pdf_available=pdf_available,
            encounter_id=fields["Visit"],
            account_number=fields["Account number"],
        ),
    )


def _line_item(row: dict[str, str]) -> LineItem:
    system, code = parsing.procedure_code(row["Procedure code"])
    return LineItem(
        service_date=parsing.day(row["Date of service"], "date of service"),
        code=code,
        code_system=system,
        description=row["Description"],
        charge=parsing.money(row["Charges"], "charges"),
        patient_responsibility=parsing.money(row["You owe"], "patient responsibility"),
    )


def payment_from_activity(row: dict[str, str]) -> Payment:
    kind, last4 = parsing.payment_method(row["Payment method"])
    return Payment(
        confirmation_number=row["Confirmation"],
        statement_id=row["Statement"],
        amount=parsing.money(row["Amount"], "payment amount"),
        reference=parsing.note(row["Payment note"]),
        method_last4=last4,
        method_kind=kind,
        posted_at=parsing.timestamp(row["Paid on"], "payment date"),
    )


def payment_from_receipt(fields: dict[str, str]) -> Payment:
    kind, last4 = parsing.payment_method(fields["Payment method"])
    return Payment(
        confirmation_number=fields["Confirmation number"],
        statement_id=fields["Statement"],
        amount=parsing.money(fields["Amount paid"], "payment amount"),
        reference=parsing.note(fields["Payment note"]),
        method_last4=last4,
        method_kind=kind,
        posted_at=parsing.timestamp(fields["Paid on"], "payment date"),
    )


def estimate(number: str, fields: dict[str, str], procedures: list[dict[str, str]]) -> Estimate:
    if not number or not procedures:
        raise PortalChanged("estimates: an estimate has no number or no procedures")
    lines = [_estimate_line(row) for row in procedures]
    responsibility = parsing.money(fields["Your estimated cost"], "estimated cost")
    summed = sum(line.patient_responsibility.amount_cents for line in lines)
    if responsibility.amount_cents != summed:
        raise PortalChanged("estimates: the estimated cost is not the sum of its procedures")
    return Estimate(
        identifier=number,
        status=parsing.estimate_status(fields["Status"]),
        service_date=parsing.day(fields["Planned service date"], "planned service date"),
        account=fields["Account number"],
        lines=lines,
        patient_responsibility=responsibility,
        deposit_due=parsing.money(fields["Deposit due"], "deposit due"),
    )


def _estimate_line(row: dict[str, str]) -> EstimateLine:
    system, code = parsing.procedure_code(row["Procedure code"])
    return EstimateLine(
        code=code,
        code_system=system,
        description=row["Description"],
        expected_charge=parsing.money(row["Expected charge"], "expected charge"),
        patient_responsibility=parsing.money(row["Your estimated cost"], "estimated cost"),
    )
