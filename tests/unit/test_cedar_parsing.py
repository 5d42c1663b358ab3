"""The Cedar adapter's parsers of displayed text, and the TOTP helper."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyotp
import pytest

from models.errors import PortalChanged
from models.sessions import MfaMethod
from models.statements import StatementStatus
from portals.cedar import parsing
from portals.one_time_codes import current_code
from sandbox.cedar.formatting import long_date, money, parse_amount, timestamp


@pytest.mark.parametrize("cents", [0, 1, 29, 1005, 123456, 100000000])
def test_displayed_money_round_trips(cents: int) -> None:
    assert parsing.money(money(cents), "amount").amount_cents == cents
    assert parse_amount(parsing.form_amount(cents)) == cents


def test_displayed_dates_round_trip() -> None:
    assert parsing.day(long_date("2025-03-04"), "date") == date(2025, 3, 4)
    moment = datetime(2025, 11, 2, 15, 7, tzinfo=UTC)
    assert parsing.timestamp(timestamp(moment.isoformat()), "date") == moment


def test_codes_cards_statuses_and_references() -> None:
    assert parsing.procedure_code("HCPCS J1100") == ("HCPCS", "J1100")
    assert parsing.card_last4("American Express ending in 8431") == "8431"
    assert parsing.statement_status("Partially paid") is StatementStatus.ISSUED
    assert parsing.statement_status("Paid") is StatementStatus.BALANCED
    assert parsing.reference("—") == ""


def test_code_destination_names_the_channel() -> None:
    assert parsing.code_destination("We sent a code to ***-***-0112. Enter it below.") == (
        MfaMethod.SMS,
        "***-***-0112",
        "We sent a code to ***-***-0112.",
    )
    method, destination, _ = parsing.code_destination("We emailed a code to e***@example.com.")
    assert (method, destination) == (MfaMethod.EMAIL, "e***@example.com")


@pytest.mark.parametrize(
    "call",
    [
        lambda: parsing.money("twelve dollars", "amount"),
        lambda: parsing.day("2025-03-04", "date"),
        lambda: parsing.procedure_code("99213"),
        lambda: parsing.card_last4("Visa 4242"),
        lambda: parsing.statement_status("In collections"),
    ],
)
def test_unrecognised_text_is_portal_changed(call: object) -> None:
    with pytest.raises(PortalChanged):
        call()  # type: ignore[operator]


def test_sandbox_amount_parsing_refuses_sub_cent_and_garbage() -> None:
    assert parse_amount("$1,234.5") == 123450
    assert parse_amount("1.005") is None
    assert parse_amount("abc") is None


def test_current_code_accepts_80_bit_secrets() -> None:
    secret = "JBSWY3DPEHPK3PXP"  # 80 bits: refused by pyotp.TOTP itself since 2.10
    code = current_code(secret)
    assert len(code) == 6 and code.isdigit()
    long_secret = pyotp.random_base32()
    assert current_code(long_secret) == pyotp.TOTP(long_secret).now()
    with pytest.raises(ValueError) as caught:
        current_code("not base32!")
    assert "not base32" not in str(caught.value)
