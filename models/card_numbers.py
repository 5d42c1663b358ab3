"""Refusing primary account numbers (PANs): only processor tokens may move."""

from __future__ import annotations

import re

from models.errors import CardNumberRefused

# 13–19 digits, optionally grouped by single spaces or dashes, anywhere in the text.
_PAN_CANDIDATE = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    for match in _PAN_CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return True
    return False


def refuse_card_number(value: str, field: str) -> None:
    if contains_card_number(value):
        raise CardNumberRefused(
            f"{field} looks like a card number; BillBridge accepts only payment-method "
            "tokens from the card processor (tokenize the card first, then pass its token)"
        )
