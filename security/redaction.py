"""Redacting PHI, card data and secrets from text bound for logs and error messages.

Two layers, applied in this order by ``Redactor.redact``:

1. **Known values.** A process-wide registry of values BillBridge has seen and knows are
   sensitive: the resolved credentials of a connection (username, password, TOTP secret)
   and what the portal adapters parse (patient and guarantor names, dates of birth, MRNs).
   Adapters call ``redactor.remember(value, kind=…)`` where they read them, so a name shows
   up as ``[name]`` in any later log line, whatever the sentence around it.
2. **Patterns** for what no registry can know in advance: card numbers (the same detector
   that refuses them at the boundaries), processor tokens beyond their last four
   (``tok_…ba11``), secrets after ``password=``/``Bearer``, emails, phone numbers, SSNs,
   and, when labelled, dates of birth, MRNs, one-time codes, names and usernames.

Over-redaction is the accepted failure mode: a log line that says ``[name]`` where it did
not need to is harmless; a birth date in a log shipped to a vendor is not.

Workflow code must not call this module: the registry differs from process to process,
and workflow code must be deterministic. Workflows log through ``workflow.logger``, whose
records pass the log filter (``security.redacted_logging``) outside the workflow's logic.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from models.accounts import Account
from models.card_numbers import find_card_numbers

Kind = Literal["name", "birth_date", "mrn", "username", "secret", "code", "value"]

_LABELS: dict[Kind, str] = {
    "name": "[name]",
    "birth_date": "[date of birth]",
    "mrn": "[MRN]",
    "username": "[username]",
    "secret": "[secret]",
    "code": "[code]",
    "value": "[redacted]",
}
# Shorter values would redact ordinary words and numbers everywhere.
_MIN_KNOWN_LENGTH = 3
_MIN_CODE_LENGTH = 4
_EDGE_BEFORE = r"(?<![A-Za-z0-9])"
_EDGE_AFTER = r"(?![A-Za-z0-9])"

_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}-\d{1,2}-\d{4}"
    r"|[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8}\.? \d{4}"
    r"|datetime\.date\(\d{4}, \d{1,2}, \d{1,2}\))"
)
_QUOTE = r"""['"]?"""
# A capitalized word; an apostrophe only inside it (O'Brien), never a closing quote.
_NAME_WORD = r"[A-Z](?:[A-Za-z.-]|['’](?=[A-Za-z]))*"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]


_ANY_SEPARATOR = rf"\s*(?:[:=#]|\bis\b)?\s*{_QUOTE}"
# For labels that also occur in ordinary sentences ("a processor token such as…").
_ASSIGNMENT = rf"\s*[:=]\s*{_QUOTE}"


def _labelled(
    label_pattern: str, value_pattern: str, label: str, separator: str = _ANY_SEPARATOR
) -> _Rule:
    """``<label><separator><value>`` keeps the label and separator, hides the value."""
    pattern = re.compile(rf"({label_pattern})({separator})({value_pattern})")
    return _Rule(pattern, lambda m: f"{m.group(1)}{m.group(2)}{label}")


def _token_tail(match: re.Match[str]) -> str:
    return f"{match.group(1)}_…{match.group(2)[-4:]}"


_RULES: tuple[_Rule, ...] = (
    # Processor tokens: the prefix and last four stay, enough to tell two methods apart.
    _Rule(re.compile(r"\b(b?tok|pm|src)_((?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8,})\b"), _token_tail),
    _labelled(r"\bBearer", r"[A-Za-z0-9._~+/=-]{8,}", "[secret]"),
    _labelled(
        r"(?i:\b(?:password|passwd|secret|totp_secret|api[_-]?key|token|authorization|cookie))",
        r"[^\s'\",;)]+",
        "[secret]",
        _ASSIGNMENT,
    ),
    _Rule(
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
        lambda m: "[email]",
    ),
    _Rule(
        re.compile(
            r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w])"
        ),
        lambda m: "[phone]",
    ),
    _Rule(re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"), lambda m: "[SSN]"),
    _labelled(
        r"(?i:\b(?:dob|d\.o\.b\.|date of birth|birth[_ ]?date|born(?: on)?))",
        _DATE,
        "[date of birth]",
    ),
    _Rule(re.compile(r"\bMRN\d{4,}\b"), lambda m: "[MRN]"),
    _labelled(
        r"(?i:\b(?:mrns?|medical record (?:number|no\.?)))", r"[A-Z]*\d[A-Z0-9-]{3,}", "[MRN]"
    ),
    _labelled(
        r"(?i:\b(?:code|otp|passcode|one-time code|verification code|security code|pin))",
        rf"\d{{{_MIN_CODE_LENGTH},8}}{_EDGE_AFTER}",
        "[code]",
    ),
    _labelled(
        r"(?i:\b(?:full_name|name|patient|guarantor))",
        rf"{_NAME_WORD}(?:,? {_NAME_WORD}){{0,3}}",
        "[name]",
    ),
    _labelled(
        r"(?i:\b(?:username|user_?name|user id))", r"[^\s'\",;)]+", "[username]", _ASSIGNMENT
    ),
)


def birth_date_spellings(day: date) -> set[str]:
    """The ways a date of birth shows up in text: ISO, US, spelled out, Python's repr."""
    month, short = day.strftime("%B"), day.strftime("%b")
    return {
        day.isoformat(),
        f"{day.month}/{day.day}/{day.year}",
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.month:02d}-{day.day:02d}-{day.year}",
        f"{month} {day.day}, {day.year}",
        f"{short} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        f"datetime.date({day.year}, {day.month}, {day.day})",
    }


class Redactor:
    """Patterns plus a registry of known sensitive values; safe to share across threads."""

    def __init__(self, max_known: int = 20_000) -> None:
        self._max_known = max_known
        self._lock = threading.Lock()
        self._known: dict[str, Kind] = {}  # lower-cased value -> kind
        self._name_parts: dict[str, Kind] = {}  # exact spelling ("Doe", "DOE") -> "name"
        self._compiled: tuple[re.Pattern[str] | None, re.Pattern[str] | None] = (None, None)

    def remember(self, value: str | date | None, *, kind: Kind = "value") -> None:
        """Redact ``value`` wherever it appears from now on, in this process."""
        if value is None:
            return
        if isinstance(value, date):
            self._add(birth_date_spellings(value), "birth_date", ())
            return
        value = value.strip()
        if kind == "code":
            if len(value) >= _MIN_CODE_LENGTH:
                self._add((value,), kind, ())
            return
        if len(value) < _MIN_KNOWN_LENGTH:
            return
        parts: tuple[str, ...] = ()
        if kind == "name":
            # "Jane Q. Doe" is also written "DOE, JANE" or just "Doe" by some page.
            words = [w for w in re.split(r"[\s,]+", value) if len(w.strip(".")) >= 3]
            parts = tuple(s for w in words for s in (w, w.upper(), w.capitalize()))
            if len(words) >= 2:
                self._add((f"{words[-1]}, {words[0]}",), kind, ())
        self._add((value,), kind, parts)

    def remember_all(self, values: Iterable[str | date | None], *, kind: Kind = "value") -> None:
        for value in values:
            self.remember(value, kind=kind)

    def forget_all(self) -> None:
        with self._lock:
            self._known.clear()
            self._name_parts.clear()
            self._compiled = (None, None)

    def redact(self, text: str) -> str:
        if not text:
            return text
        text = _redact_card_numbers(text)
        known, parts = self._patterns()
        if known is not None:
            text = known.sub(lambda m: _LABELS[self._known.get(m.group().lower(), "value")], text)
        if parts is not None:
            text = parts.sub(lambda m: _LABELS["name"], text)
        for rule in _RULES:
            text = rule.pattern.sub(rule.replace, text)
        return text

    def _add(self, values: Iterable[str], kind: Kind, parts: tuple[str, ...]) -> None:
        with self._lock:
            for value in values:
                self._known[value.lower()] = kind
            for part in parts:
                self._name_parts[part] = "name"
            while len(self._known) > self._max_known:
                del self._known[next(iter(self._known))]
            while len(self._name_parts) > self._max_known:
                del self._name_parts[next(iter(self._name_parts))]
            self._compiled = (None, None)

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        with self._lock:
            known, parts = self._compiled
            if known is None and self._known:
                known = _alternation(self._known, re.IGNORECASE)
            if parts is None and self._name_parts:
                parts = _alternation(self._name_parts, 0)
            self._compiled = (known, parts)
            return self._compiled


def _alternation(values: Iterable[str], flags: int) -> re.Pattern[str]:
    # Longest first, so "Jane Doe" wins over a shorter value inside it.
    ordered = sorted(values, key=len, reverse=True)
    body = "|".join(re.escape(value) for value in ordered)
    return re.compile(f"{_EDGE_BEFORE}(?:{body}){_EDGE_AFTER}", flags)


def _redact_card_numbers(text: str) -> str:
    spans = list(find_card_numbers(text))
    for start, end in reversed(spans):
        text = f"{text[:start]}[card number]{text[end:]}"
    return text


# The process-wide registry every adapter and the log filter share.
redactor = Redactor()


def redact(text: str) -> str:
    return redactor.redact(text)


def remember_account(account: Account) -> None:
    """The people an adapter read on an account: names, date of birth, MRNs."""
    redactor.remember(account.name, kind="name")
    redactor.remember(account.guarantor.name, kind="name")
    redactor.remember(account.guarantor.birth_date)
    redactor.remember(account.guarantor.mrn, kind="mrn")
    for mrn in getattr(account.extension, "patient_mrns", ()):
        redactor.remember(mrn, kind="mrn")
