"""Deterministic seed data: the same ``--seed`` always yields the same console.

Staff logins come from one random stream, guarantor accounts from another, so changing
``--guarantors`` never changes a login. The demo guarantor is drawn first and does not depend
on the number of guarantors either. Dates hang off a fixed anchor, never today.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sandbox.patientco.catalog import (
    DELIVERY_CHANNELS,
    DELIVERY_STATUSES,
    FACILITIES,
    FIRST_NAMES,
    GUARANTOR_SHARES,
    LAST_NAMES,
    PASSWORD_WORDS,
    SERVICE_LINES,
    STAFF_DOMAIN,
)
from sandbox.processor import tokens
from sandbox.processor.tokens import Instrument

ANCHOR_DATE = date(2025, 6, 30)
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

# The magic logins, documented on /__sandbox__/ like a card processor's test values.
DEMO_USERNAME = "demo.staff"
DEMO_PASSWORD = "demo-staff-password"
DEMO_TOTP_SECRET = "PATIENTCOSTAFF22"  # 80 bits, base32
EMAIL_USERNAME = "email.staff"
EMAIL_PASSWORD = "email-staff-password"
EMAIL_ADDRESS = f"email.staff@{STAFF_DOMAIN}"
WRONG_PASSWORD_USERNAME = "wrong.password"
LOCKED_USERNAME = "locked.staff"
REGULAR_STAFF = 3
# The demo guarantor's wallet, in this order: approving card, bank account, declining card,
# insufficient-funds card.
DEMO_WALLET: tuple[Instrument, ...] = (
    tokens.VISA_APPROVED,
    tokens.ACH_CHECKING,
    tokens.VISA_DECLINED,
    tokens.VISA_INSUFFICIENT_FUNDS,
)
DEMO_STATEMENTS = 4
MIN_DEMO_BALANCE_CENTS = 1000
_APPROVED_CARDS = (tokens.VISA_APPROVED, tokens.MASTERCARD_APPROVED, tokens.DISCOVER_APPROVED)
_LONG_DIGIT_RUN = re.compile(r"\d{13,}")


@dataclass(frozen=True)
class SeedStaff:
    username: str
    password: str
    full_name: str
    email: str
    mfa_method: str  # "totp" | "email"
    totp_secret: str  # "" for email-code staff
    magic: str | None  # "demo" | "email" | "wrong_password" | "locked" | None


@dataclass(frozen=True)
class SeedPatient:
    mrn: str
    name: str
    birth_date: date
    relationship: str  # to the guarantor: "Self", "Child", "Spouse"


@dataclass(frozen=True)
class SeedEncounter:
    encounter_id: str
    mrn: str
    service_date: date
    facility: str
    service_line: str


@dataclass(frozen=True)
class SeedLineItem:
    encounter_id: str
    service_date: date
    code: str
    code_system: str
    description: str
    charge_cents: int
    patient_cents: int


@dataclass(frozen=True)
class SeedStatement:
    statement_id: str
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    delivery_channel: str
    delivery_status: str
    line_items: tuple[SeedLineItem, ...]

    @property
    def total_cents(self) -> int:
        return sum(item.patient_cents for item in self.line_items)


@dataclass(frozen=True)
class SeedGuarantor:
    account_number: str
    guarantor_number: str
    name: str
    birth_date: date
    status: str  # FHIR Account.status: "active" | "on-hold"
    patients: tuple[SeedPatient, ...]
    encounters: tuple[SeedEncounter, ...]
    statements: tuple[SeedStatement, ...]
    wallet: tuple[Instrument, ...]

    def token(self, instrument: Instrument) -> str:
        return tokens.wallet_token(instrument, f"patientco:{self.guarantor_number}")


@dataclass
class _Counters:
    next_statement: int = 204000
    used: set[str] = field(default_factory=set)

    def unique(self, rng: random.Random, prefix: str, low: int, high: int) -> str:
        while True:
            candidate = f"{prefix}{rng.randrange(low, high)}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def build_staff(seed: int) -> list[SeedStaff]:
    rng = random.Random(f"patientco-staff:{seed}")
    staff = [
        _staff(rng, DEMO_USERNAME, DEMO_PASSWORD, "demo", totp_secret=DEMO_TOTP_SECRET),
        _staff(rng, EMAIL_USERNAME, EMAIL_PASSWORD, "email", mfa_method="email"),
        _staff(rng, WRONG_PASSWORD_USERNAME, "any-password-fails", "wrong_password"),
        _staff(rng, LOCKED_USERNAME, "locked-password", "locked"),
    ]
    for index in range(1, REGULAR_STAFF + 1):
        password = f"{rng.choice(PASSWORD_WORDS)}-{rng.randrange(1000, 10000)}"
        staff.append(_staff(rng, f"staff{index:02d}", password, None))
    return staff


def build_guarantors(seed: int, count: int) -> list[SeedGuarantor]:
    """The demo guarantor first (four statements of at least $10.00), then ``count`` more."""
    rng = random.Random(f"patientco-guarantors:{seed}")
    counters = _Counters()
    found = [_guarantor(rng, counters, DEMO_STATEMENTS, DEMO_WALLET, demo=True)]
    for _ in range(count):
        wallet = [rng.choice(_APPROVED_CARDS)]
        if rng.random() < 0.4:
            wallet.append(tokens.ACH_CHECKING)
        found.append(_guarantor(rng, counters, rng.randint(1, 3), tuple(wallet), demo=False))
    return found


def _staff(
    rng: random.Random,
    username: str,
    password: str,
    magic: str | None,
    *,
    mfa_method: str = "totp",
    totp_secret: str | None = None,
) -> SeedStaff:
    full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    secret = totp_secret or "".join(rng.choice(BASE32_ALPHABET) for _ in range(32))
    return SeedStaff(
        username=username, password=password, full_name=full_name,
        email=f"{username}@{STAFF_DOMAIN}", mfa_method=mfa_method,
        totp_secret=secret if mfa_method == "totp" else "", magic=magic,
    )  # fmt: skip


def _guarantor(
    rng: random.Random,
    counters: _Counters,
    statements: int,
    wallet: tuple[Instrument, ...],
    *,
    demo: bool,
) -> SeedGuarantor:
    last_name = rng.choice(LAST_NAMES)
    name = f"{rng.choice(FIRST_NAMES)} {last_name}"
    birth_date = _birth_date(rng, 28, 78)
    patients = [SeedPatient(counters.unique(rng, "MRN", 10**6, 10**7), name, birth_date, "Self")]
    if rng.random() < 0.5:
        relationship = rng.choice(("Child", "Spouse"))
        ages = (2, 17) if relationship == "Child" else (25, 75)
        patients.append(
            SeedPatient(counters.unique(rng, "MRN", 10**6, 10**7),
                        f"{rng.choice(FIRST_NAMES)} {last_name}", _birth_date(rng, *ages),
                        relationship)
        )  # fmt: skip
    months = sorted(rng.sample(range(6), statements))
    built: list[SeedStatement] = []
    encounters: list[SeedEncounter] = []
    for months_back in months:
        while True:
            statement, visits = _statement(rng, counters, patients, months_back)
            if not demo or statement.total_cents >= MIN_DEMO_BALANCE_CENTS:
                break
        built.append(statement)
        encounters.extend(visits)
    return SeedGuarantor(
        account_number=counters.unique(rng, "", 10**6, 10**7),
        guarantor_number=counters.unique(rng, "G", 10**5, 10**6),
        name=name,
        birth_date=birth_date,
        status="on-hold" if not demo and rng.random() < 0.15 else "active",
        patients=tuple(patients),
        encounters=tuple(sorted(encounters, key=lambda e: (e.service_date, e.encounter_id))),
        statements=tuple(built),
        wallet=wallet,
    )


def _statement(
    rng: random.Random, counters: _Counters, patients: list[SeedPatient], months_back: int
) -> tuple[SeedStatement, list[SeedEncounter]]:
    period_start, period_end = _month(months_back)
    counters.next_statement += rng.randint(3, 97)
    visits, items = [], []
    for _ in range(rng.randint(1, 2)):
        service_line = rng.choice(sorted(SERVICE_LINES))
        visit = SeedEncounter(
            encounter_id=counters.unique(rng, "E", 10**7, 10**8),
            mrn=rng.choice(patients).mrn,
            service_date=period_start + timedelta(days=rng.randint(0, 27)),
            facility=rng.choice(FACILITIES),
            service_line=service_line,
        )
        visits.append(visit)
        for procedure in rng.sample(SERVICE_LINES[service_line], rng.randint(1, 3)):
            charge = rng.randint(procedure.min_charge_cents, procedure.max_charge_cents)
            items.append(
                SeedLineItem(visit.encounter_id, visit.service_date, procedure.code,
                             procedure.code_system, procedure.description, charge,
                             max(1, charge * rng.choice(GUARANTOR_SHARES) // 100))
            )  # fmt: skip
    items.sort(key=lambda item: (item.service_date, item.encounter_id))
    issued_on = period_end + timedelta(days=rng.randint(2, 5))
    statement = SeedStatement(
        statement_id=f"PS{counters.next_statement}",
        period_start=period_start,
        period_end=period_end,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=25),
        delivery_channel=rng.choice(DELIVERY_CHANNELS),
        delivery_status=rng.choice(DELIVERY_STATUSES),
        line_items=tuple(items),
    )
    return statement, visits


def _month(months_back: int) -> tuple[date, date]:
    """The first and last day of the month ``months_back`` months before the anchor's."""
    year, month = divmod(ANCHOR_DATE.year * 12 + ANCHOR_DATE.month - 1 - months_back, 12)
    start = date(year, month + 1, 1)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return start, following - timedelta(days=1)


def _birth_date(rng: random.Random, youngest: int, oldest: int) -> date:
    return date(ANCHOR_DATE.year - rng.randint(youngest, oldest), rng.randint(1, 12),
                rng.randint(1, 28))  # fmt: skip


def contains_long_digit_run(text: str) -> bool:
    return _LONG_DIGIT_RUN.search(text) is not None
