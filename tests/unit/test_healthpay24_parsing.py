"""Reading HealthPay24's displayed text: amounts, day-first dates, codes, payment methods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.accounts import AccountStatus
from models.errors import PortalChanged
from models.estimates import EstimateStatus
from models.money import Money
from models.payments import PaymentMethodKind
from models.sessions import MfaMethod
from models.statements import StatementStatus
from portals.healthpay24 import parsing
from sandbox.healthpay24 import formatting


@pytest.mark.parametrize("cents", [0, 1, 99, 100, 123456, 100000000, -2500])
def test_money_reads_what_the_sandbox_prints(cents: int) -> None:
    assert parsing.money(formatting.money(cents), "amount") == Money(amount_cents=cents)


@pytest.mark.parametrize("text", ["$12.00", "12.00", "USD 12", "USD 1,2345.00", ""])
def test_money_refuses_other_formats(text: str) -> None:
    with pytest.raises(PortalChanged):
        parsing.money(text, "amount")


def test_dates_and_times() -> None:
    assert parsing.day(formatting.day("2025-06-03"), "d") == date(2025, 6, 3)
    assert parsing.day("30 Jun 2025", "d") == date(2025, 6, 30)
    assert parsing.birth_date("1960-10-05", "dob") == date(1960, 10, 5)
    shown = formatting.timestamp("2025-06-30T14:05:09+00:00")
    assert parsing.timestamp(shown, "t") == datetime(2025, 6, 30, 14, 5, tzinfo=UTC)
    for bad in ("Jun 30, 2025", "2025-06-30"):
        with pytest.raises(PortalChanged):
            parsing.day(bad, "d")


def test_codes_methods_and_statuses() -> None:
    assert parsing.procedure_code("99284 (CPT)") == ("CPT", "99284")
    assert parsing.procedure_code("J2405 (HCPCS)") == ("HCPCS", "J2405")
    assert parsing.payment_method("Visa ending in 4242") == (PaymentMethodKind.CARD, "4242")
    assert parsing.payment_method("American Express ending in 8431")[1] == "8431"
    assert parsing.payment_method("Checking account ending in 6789") == (
        PaymentMethodKind.ACH, "6789"
    )  # fmt: skip
    assert parsing.statement_status("Partially paid") is StatementStatus.ISSUED
    assert parsing.statement_status("Paid in full") is StatementStatus.BALANCED
    assert parsing.account_status("Open") is AccountStatus.ACTIVE
    assert parsing.estimate_status("Deposit paid") is EstimateStatus.DEPOSIT_PAID
    assert parsing.note("—") == "" and parsing.note(" bb-1 ") == "bb-1"
    assert parsing.form_amount(123405) == "1234.05"
    with pytest.raises(PortalChanged):
        parsing.statement_status("Open")
    with pytest.raises(PortalChanged):
        parsing.procedure_code("CPT 99284")  # Cedar's way, not HealthPay24's


def test_texted_to() -> None:
    assert parsing.texted_to("We texted a security code to (***) ***-0112.") == (
        MfaMethod.SMS, "(***) ***-0112", "We texted a security code to (***) ***-0112."
    )  # fmt: skip
    with pytest.raises(PortalChanged):
        parsing.texted_to("We sent a code to ***-***-0112.")
