"""Refusing primary account numbers (PANs): only processor tokens may move.

One detector (``find_card_numbers``) serves two jobs: refusing input at every boundary
(``refuse_card_number`` for one value, ``refuse_card_numbers_in`` for every string inside a
model, dict or list — the Python client, the CLI, the workflows and, later, the HTTP API all
call it) and masking card numbers in logs (``security.redaction``).

A PAN is 13–19 digits that pass the Luhn check, written plain or in groups separated by
single spaces or dashes ("4242 4242 4242 4242", "3782-822463-10005"). Groups are tried in
every run of consecutive groups, so a PAN followed by an expiry ("4242 4242 4242 4242 12 30")
is still found. A digit run longer than 19 with no separator is no PAN (an id, a hash), nor
are digits glued to a letter or inside a UUID: random ids pass Luhn by chance (one UUID in
400 would otherwise be refused).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from models.errors import CardNumberRefused

MIN_PAN_DIGITS = 13
MAX_PAN_DIGITS = 19
# Digit groups joined by one separator: a space, a no-break space or a dash.
_GROUPED_DIGITS = re.compile(r"(?<!\d)\d+(?:[ \u00a0-]\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")
# A UUID's digit groups joined by its dashes pass Luhn about once in 400 random UUIDs.
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

TOKENIZATION_HINT = (
    "BillBridge never accepts card numbers: card numbers go through tokenization at the card "
    "processor (its hosted fields), and only the processor's token (tok_…) is passed on"
)


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


def find_card_numbers(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every card number in ``text``, left to right, not overlapping."""
    text = _UUID.sub(lambda uuid: "u" * len(uuid.group()), text)  # same offsets, no digits
    for run in _GROUPED_DIGITS.finditer(text):
        offset = run.start()
        groups = [(g.start() + offset, g.end() + offset) for g in _GROUP.finditer(run.group())]
        first = 0
        while first < len(groups):
            span = _pan_from(text, groups, first)
            if span is None:
                first += 1
                continue
            yield span
            first = next((i for i, g in enumerate(groups) if g[0] >= span[1]), len(groups))


def _pan_from(text: str, groups: list[tuple[int, int]], first: int) -> tuple[int, int] | None:
    """The longest run of groups starting at ``first`` that is a PAN, if any."""
    found = None
    digits = ""
    for last in range(first, len(groups)):
        start, end = groups[last]
        digits += text[start:end]
        if len(digits) > MAX_PAN_DIGITS:
            break
        if (
            len(digits) >= MIN_PAN_DIGITS
            and luhn_valid(digits)
            and _stands_alone(text, groups[first][0], end)
        ):
            found = (groups[first][0], end)
    return found


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not glued to a letter: digits inside a word are part of an id (a UUID, a hash), which
    by chance pass Luhn about once in 400 random UUIDs. A typed PAN stands alone or after
    punctuation (``card:4242…``, ``tok_4242…``)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return not (before.isalpha() or after.isalpha())


def contains_card_number(text: str) -> bool:
    return next(find_card_numbers(text), None) is not None


def refuse_card_number(value: str, field: str) -> None:
    """CardNumberRefused when ``value`` holds a card number. The message names the field,
    never the value: it is shown to callers and may be stored in workflow history."""
    if contains_card_number(value):
        raise CardNumberRefused(f"{field} looks like a card number. {TOKENIZATION_HINT}.")


def refuse_card_numbers_in(value: Any, field: str = "") -> None:
    """Refuse a card number in any string inside ``value``: a pydantic model's fields, a
    mapping's keys and values, a list's items, recursively. The error names the offending
    path under ``field`` ("payment_method_token", "start.waiters[item]"), never the value.

    The one check every boundary calls (client, CLI, workflow inputs and Updates, and the
    HTTP API's request models), so a field added later is covered without a new line.
    """
    for path, text in _strings(value, field):
        refuse_card_number(text, path)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), _join(path, name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            # A key is checked before it could become part of a path in an error message,
            # and only a plain name ever does.
            yield from _strings(key, f"{path or 'mapping'} key")
            named = isinstance(key, str) and key.isidentifier()
            yield from _strings(item, _join(path, key) if named else f"{path}[item]")
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
