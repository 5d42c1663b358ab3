"""Checking what a person typed into the hosted fields: only the published test numbers pass.

Errors name the field and say what is wrong in the words the iframe shows. Nothing here
keeps or logs what was typed; the caller mints a token from the instrument and forgets the rest.
"""

from __future__ import annotations

import re
from datetime import date

from sandbox.processor import tokens

_EXPIRY = re.compile(r"^\s*(?P<month>\d{1,2})\s*/\s*(?P<year>\d{2}|\d{4})\s*$")


class EntryError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field  # the name of the input the message is about
        self.message = message


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_instrument(
    number: str, exp: str, cvc: str, zip_code: str, today: date
) -> tokens.Instrument:
    """The test instrument behind a typed card, or EntryError for the first wrong field."""
    digits = re.sub(r"[ -]", "", number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_valid(digits):
        raise EntryError("card_number", "Enter a valid card number.")
    instrument = tokens.instrument_for_card(digits)
    if instrument is None:
        raise EntryError(
            "card_number", "This card number is not accepted here. Use a sandbox test card."
        )
    _check_expiry(exp, today)
    if not re.fullmatch(r"\d{3,4}", cvc.strip()):
        raise EntryError("cvc", "Enter the 3 or 4 digit security code.")
    if not re.fullmatch(r"\d{5}(-\d{4})?", zip_code.strip()):
        raise EntryError("zip", "Enter a valid ZIP code.")
    return instrument


def bank_instrument(routing: str, account: str) -> tokens.Instrument:
    if not re.fullmatch(r"\d{9}", routing.strip()):
        raise EntryError("routing", "Enter the 9 digit routing number.")
    if not re.fullmatch(r"\d{4,17}", account.strip()):
        raise EntryError("account", "Enter a valid account number.")
    instrument = tokens.instrument_for_bank(routing, account)
    if instrument is None:
        raise EntryError(
            "account", "This bank account is not accepted here. Use the sandbox test account."
        )
    return instrument


def _check_expiry(exp: str, today: date) -> None:
    match = _EXPIRY.match(exp)
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise EntryError("exp", "Enter the expiration date as MM/YY.")
    year = int(match["year"])
    year = year + 2000 if year < 100 else year
    if (year, int(match["month"])) < (today.year, today.month):
        raise EntryError("exp", "This card has expired.")
