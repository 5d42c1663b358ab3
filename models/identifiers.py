"""Caller-chosen identifiers that Temporal keeps in plain text must not carry patient data.

An idempotency key becomes part of a workflow id (``payment-<key>``), and workflow ids,
unlike payloads, are not encrypted: the Temporal UI, CLI and database show them as they
are. So a key must be an opaque id (a UUID, an invoice number): no spaces (names), no
``@`` (emails), no dates, no phone or card numbers. Pure and deterministic, so workflows
check their input with it too.
"""

from __future__ import annotations

import re

from models.card_numbers import refuse_card_number
from models.errors import InvalidInput

_OPAQUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")
# 2026-11-23 or 11-23-2026 (dots too): any date may be a birth or service date, both PHI
# under HIPAA. Only written with separators: bare digit runs occur in random ids (UUIDs).
_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}([-.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|1[0-2])([-.])(?:0?[1-9]|[12]\d|3[01])\2(?:19|20)\d{2})(?![\d])"
)
# A US phone number in its written groups, 555-010-0112 or 555.010.0112.
_PHONE = re.compile(r"(?<!\d)\d{3}([-.])\d{3}\1\d{4}(?![\d])")


def refuse_personal_data_in_id(value: str, field: str) -> None:
    """Raise InvalidInput when ``value`` is not an opaque id; never echoes the value."""
    refuse_card_number(value, field)
    if not _OPAQUE.fullmatch(value):
        raise InvalidInput(
            f"{field} must be an opaque id of letters, digits and _ . : - (at most 200): "
            "it is part of a workflow id, which Temporal stores unencrypted"
        )
    if _DATE.search(value) or _PHONE.search(value):
        raise InvalidInput(
            f"{field} looks like it holds a date or a phone number; use an opaque id "
            "(e.g. a UUID): it is part of a workflow id, which Temporal stores unencrypted"
        )
