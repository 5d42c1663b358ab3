"""The processor's tokens: they round-trip, resist forgery and never look like card numbers."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sandbox.processor import tokens
from sandbox.processor.card_entry import EntryError, card_instrument, luhn_valid

LONG_DIGIT_RUN = re.compile(r"\d{13,}")


@pytest.mark.parametrize("instrument", list(tokens.INSTRUMENTS.values()), ids=lambda i: i.name)
def test_mint_then_read_gives_the_instrument_back(instrument: tokens.Instrument) -> None:
    token = tokens.mint(instrument)
    prefix = "btok_" if instrument.kind is tokens.InstrumentKind.ACH else "tok_"
    assert token.startswith(prefix)
    assert tokens.read(token) == instrument
    assert tokens.mint(instrument) != token  # random by default


def test_forged_and_altered_tokens_are_refused() -> None:
    token = tokens.mint(tokens.VISA_APPROVED)
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
    as_bank = "b" + token  # a card token passed off as a bank account
    for forged in (flipped, as_bank, "tok_" + "0" * 24, "tok_4242424242424242", "", "nope"):
        assert tokens.read(forged) is None, forged


def test_no_token_holds_a_long_digit_run() -> None:
    for index in range(3000):
        instrument = tokens.INSTRUMENTS[index % len(tokens.INSTRUMENTS) + 1]
        assert not LONG_DIGIT_RUN.search(tokens.mint(instrument))
        assert not LONG_DIGIT_RUN.search(tokens.wallet_token(instrument, f"owner{index}"))


def test_wallet_token_is_deterministic_per_owner() -> None:
    first = tokens.wallet_token(tokens.VISA_APPROVED, "cedar:demo.patient")
    assert first == tokens.wallet_token(tokens.VISA_APPROVED, "cedar:demo.patient")
    assert first != tokens.wallet_token(tokens.VISA_APPROVED, "cedar:sms.patient")
    assert first != tokens.wallet_token(tokens.MASTERCARD_APPROVED, "cedar:demo.patient")
    assert tokens.read(first) == tokens.VISA_APPROVED


def test_test_numbers_pass_luhn_and_map_to_their_instruments() -> None:
    for number, instrument in tokens.TEST_CARD_NUMBERS.items():
        assert luhn_valid(number)
        assert tokens.instrument_for_card(f"{number[:4]} {number[4:8]} {number[8:]}") == instrument
    assert tokens.instrument_for_bank("110000000", "000123456789") == tokens.ACH_CHECKING
    assert tokens.instrument_for_bank("110000000", "1") is None


@pytest.mark.parametrize(
    ("number", "exp", "field"),
    [("4242424242424241", "12/40", "card_number"),  # fails Luhn
     ("4111111111111111", "12/40", "card_number"),  # valid, but not a test card
     ("4242424242424242", "13/40", "exp"),
     ("4242424242424242", "01/20", "exp")],
)  # fmt: skip
def test_typed_cards_are_refused_field_by_field(number: str, exp: str, field: str) -> None:
    with pytest.raises(EntryError) as refused:
        card_instrument(number, exp, "123", "94110", date(2026, 1, 1))
    assert refused.value.field == field
