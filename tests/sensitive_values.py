"""What must never appear in the clear: every seeded patient's PHI and login secrets, the
phone numbers and email addresses the portals send codes to, the processor's test card
numbers, and the one-time codes the tests read.

The values come from the sandboxes' own seed modules (with each sandbox's default seed and
size, as the tests and the demo start them), so a change to the seeds changes what is
searched. ``find`` returns where each value was seen, never the value itself, so a failure
report does not repeat the leak.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from typing import Any

from sandbox.cedar.seed import seed_users
from sandbox.cedar.settings import SandboxSettings as CedarSettings
from sandbox.healthpay24.seed import seed_logins
from sandbox.healthpay24.settings import SandboxSettings as HealthPay24Settings
from sandbox.patientco.seed import build_guarantors, build_staff
from sandbox.patientco.settings import SandboxSettings as PatientcoSettings
from sandbox.processor.tokens import TEST_BANK_ACCOUNT, TEST_CARD_NUMBERS

NAME = "patient name"
BIRTH_DATE = "date of birth"
MRN = "MRN"
PASSWORD = "password"
TOTP_SECRET = "TOTP secret"
OTP_CODE = "OTP code"
PHONE = "phone number"
EMAIL = "email address"
CARD_NUMBER = "card number"
BANK_ACCOUNT = "bank account number"

# A digit value must stand alone: a code is not a leak inside a statement id (ST-123456), a
# longer number or a timestamp's fraction (12:00:00.123456).
_DIGITS_BEFORE = r"(?<![\w.-])"
_DIGITS_AFTER = r"(?!\w)"


@dataclass(frozen=True)
class Sensitive:
    kind: str
    value: str
    whose: str  # "cedar demo.patient", "patientco guarantor G123456": said instead of the value

    @property
    def pattern(self) -> re.Pattern[str]:
        escaped = re.escape(self.value)
        if self.value.isdigit():
            return re.compile(_DIGITS_BEFORE + escaped + _DIGITS_AFTER)
        if self.kind == NAME:
            return re.compile(rf"\b{escaped}\b", re.IGNORECASE)
        return re.compile(escaped)


@dataclass(frozen=True)
class Hit:
    kind: str
    whose: str
    context: str  # the text around the hit with the value itself masked


def _default(settings: type[Any], name: str) -> int:
    """A sandbox's default size or seed, as its settings declare it."""
    value = next(f.default for f in fields(settings) if f.name == name)
    assert isinstance(value, int), (settings, name)
    return value


def _birth_dates(birth_date: date, whose: str) -> list[Sensitive]:
    """ISO (HealthPay24, BillBridge's models) and US (Patientco's pages) forms."""
    forms = {birth_date.isoformat(), f"{birth_date:%m/%d/%Y}"}
    return [Sensitive(BIRTH_DATE, form, whose) for form in sorted(forms)]


def _names(name: str, whose: str) -> list[Sensitive]:
    first, _, last = name.partition(" ")
    return [Sensitive(NAME, name, whose), Sensitive(NAME, f"{last}, {first}", whose)]


def _phones(phone: str, whose: str) -> list[Sensitive]:
    """As seeded (``+1 555-010-0112``) and as people and systems write it; the masked forms
    the portals show (``***-***-0112``) hold too few digits to match any of these."""
    digits = re.sub(r"\D", "", phone)
    national = digits[-10:]
    area, exchange, line = national[:3], national[3:6], national[6:]
    forms = {phone, digits, national, f"+{digits}", f"{area}-{exchange}-{line}",
             f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}"}  # fmt: skip
    return [Sensitive(PHONE, form, whose) for form in sorted(forms)]


def _emails(email: str, whose: str) -> list[Sensitive]:
    """As seeded, and percent-encoded as a URL or form body carries it."""
    forms = {email, email.replace("@", "%40")}
    return [Sensitive(EMAIL, form, whose) for form in sorted(forms)]


def _contacts(phone: str | None, email: str | None, whose: str) -> list[Sensitive]:
    return [*(_phones(phone, whose) if phone else []), *(_emails(email, whose) if email else [])]


def _logins(vendor: str, logins: Iterable[tuple[str, str, str]]) -> list[Sensitive]:
    found = []
    for username, password, totp_secret in logins:
        whose = f"{vendor} {username}"
        found.append(Sensitive(PASSWORD, password, whose))
        if totp_secret:
            found.append(Sensitive(TOTP_SECRET, totp_secret, whose))
    return found


def _cedar() -> list[Sensitive]:
    users = seed_users(_default(CedarSettings, "seed"), _default(CedarSettings, "patients"))
    found = _logins("cedar", ((u.username, u.password, u.totp_secret) for u in users))
    for user in users:
        found += _names(user.full_name, f"cedar {user.username}")
        found += _contacts(user.phone, user.email, f"cedar {user.username}")
    return found


def _patientco() -> list[Sensitive]:
    seed = _default(PatientcoSettings, "seed")
    staff = build_staff(seed)
    # Staff names are the provider's employees, not patients: not searched.
    found = _logins("patientco", ((s.username, s.password, s.totp_secret) for s in staff))
    # Their addresses are where the identity provider sends codes: searched.
    for member in staff:
        found += _emails(member.email, f"patientco {member.username}")
    for guarantor in build_guarantors(seed, _default(PatientcoSettings, "guarantors")):
        whose = f"patientco guarantor {guarantor.guarantor_number}"
        found += _names(guarantor.name, whose) + _birth_dates(guarantor.birth_date, whose)
        for patient in guarantor.patients:
            who = f"{whose} patient {patient.relationship.lower()}"
            found += _names(patient.name, who) + _birth_dates(patient.birth_date, who)
            found.append(Sensitive(MRN, patient.mrn, who))
    return found


def _healthpay24() -> list[Sensitive]:
    logins = seed_logins(
        _default(HealthPay24Settings, "seed"), _default(HealthPay24Settings, "patients")
    )
    found = _logins("healthpay24", ((x.username, x.password, x.totp_secret) for x in logins))
    for login in logins:
        whose = f"healthpay24 {login.username}"
        found += _names(login.full_name, whose) + _birth_dates(login.birth_date, whose)
        found += _contacts(login.phone, None, whose)
        for account in login.accounts:
            found += _names(account.patient_name, f"{whose} account {account.account_number}")
    return found


def card_numbers() -> list[Sensitive]:
    """The processor's published test PANs as people type them: plain, spaced, dashed."""
    found = []
    for number, instrument in TEST_CARD_NUMBERS.items():
        groups = [number[i : i + 4] for i in range(0, len(number), 4)]
        for form in (number, " ".join(groups), "-".join(groups)):
            found.append(Sensitive(CARD_NUMBER, form, f"processor test card {instrument.name}"))
    found.append(Sensitive(BANK_ACCOUNT, TEST_BANK_ACCOUNT, "processor test bank account"))
    return found


@cache
def seeded_values() -> tuple[Sensitive, ...]:
    values = {*_cedar(), *_patientco(), *_healthpay24(), *card_numbers()}
    return tuple(sorted(values, key=lambda s: (s.kind, s.whose, s.value)))


def one_time_codes(codes: Iterable[str]) -> list[Sensitive]:
    return [Sensitive(OTP_CODE, code, "a code a test read from a sandbox outbox") for code in codes]


_CONTEXT = 40


class Scanner:
    """Finds any of ``values`` in many texts at once: substring searches over all the texts
    joined (C speed) point at the few texts worth a closer look."""

    _SEPARATOR = "\n\x00\n"

    def __init__(self, values: Iterable[Sensitive]) -> None:
        self.values = tuple(values)

    def find(self, text: str) -> list[Hit]:
        """Every value in ``text`` (one hit per kind and place), with its context, in which
        every value found is masked, even one the context cuts in half."""
        folded = text.casefold()
        spans: dict[tuple[int, str], tuple[int, Sensitive]] = {}
        for value in self.values:
            if not _present(value, text, folded):
                continue
            for match in value.pattern.finditer(text):
                spans.setdefault((match.start(), value.kind), (match.end(), value))
        ordered = sorted((start, end, value) for (start, _), (end, value) in spans.items())
        hits = []
        for start, end, value in ordered:
            window = (max(0, start - _CONTEXT), end + _CONTEXT)
            hits.append(Hit(value.kind, value.whose, _masked(text, window, ordered)))
        return hits

    def find_many(self, texts: Sequence[str]) -> Iterator[tuple[int, list[Hit]]]:
        """``(index, hits)`` for every text of ``texts`` holding a value."""
        joined = self._SEPARATOR.join(texts)
        folded = joined.casefold()
        starts, position = [], 0
        for text in texts:
            starts.append(position)
            position += len(text) + len(self._SEPARATOR)
        suspects: set[int] = set()
        for value in self.values:
            if _present(value, joined, folded):
                suspects.update(
                    bisect.bisect_right(starts, match.start()) - 1
                    for match in value.pattern.finditer(joined)
                )
        for index in sorted(suspects):
            hits = self.find(texts[index])
            if hits:
                yield index, hits


def _present(value: Sensitive, text: str, folded: str) -> bool:
    """The cheap test first: most texts hold none of the values."""
    return value.value.casefold() in folded if value.kind == NAME else value.value in text


def _masked(text: str, window: tuple[int, int], spans: list[tuple[int, int, Sensitive]]) -> str:
    pieces, position = [], window[0]
    for start, end, value in spans:
        if end <= position or start >= window[1]:
            continue
        pieces += [text[position:start], f"«{value.kind}»"]
        position = max(position, end)
    pieces.append(text[position : window[1]])
    return "".join(pieces).replace("\n", "⏎")
