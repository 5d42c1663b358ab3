"""Seeded hospital charges: encounters with their statements, and pre-service estimates.

Identifiers stay short (no run of 13+ digits: BillBridge reads such runs as card numbers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sandbox.healthpay24.catalog import DEPARTMENTS, ELECTIVE, FACILITIES, PATIENT_SHARES

ANCHOR_DATE = date(2025, 6, 30)
DUE_DAYS = 21  # HealthPay24 clients bill on three-week terms
ESTIMATE_STATUSES = ("active", "deposit-paid", "expired")


@dataclass(frozen=True)
class SeedLine:
    service_date: date
    code: str
    code_system: str
    description: str
    charge_cents: int
    patient_cents: int  # what is left to the patient after insurance


@dataclass(frozen=True)
class SeedStatement:
    statement_id: str
    statement_date: date
    due_date: date
    lines: tuple[SeedLine, ...]

    @property
    def total_cents(self) -> int:
        return sum(line.patient_cents for line in self.lines)


@dataclass(frozen=True)
class SeedEncounter:
    encounter_id: str
    visit_date: date
    facility: str
    department: str
    statement: SeedStatement


@dataclass(frozen=True)
class SeedEstimateLine:
    code: str
    code_system: str
    description: str
    expected_charge_cents: int
    patient_cents: int


@dataclass(frozen=True)
class SeedEstimate:
    estimate_id: str
    account_number: str
    service_date: date
    facility: str
    status: str  # "active" | "deposit-paid" | "expired"
    lines: tuple[SeedEstimateLine, ...]
    deposit_cents: int
    encounter_id: str = ""  # the upcoming visit the deposit is held for (``upcoming_visits``)

    @property
    def patient_cents(self) -> int:
        return sum(line.patient_cents for line in self.lines)


@dataclass
class SeedIds:
    """Identifiers of one random stream: unique within it, disjoint from other streams."""

    first_statement: int
    account_prefix: str = ""
    encounter_prefix: str = ""
    next_statement: int = 0
    next_estimate: int = 0
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.next_statement = self.first_statement
        self.next_estimate = self.first_statement // 10

    def holder(self, rng: random.Random) -> str:
        return self._unique(lambda: f"G{self.account_prefix}{rng.randrange(10**5, 10**6)}")

    def account(self, rng: random.Random) -> str:
        prefix = self.account_prefix or str(rng.randint(1, 8))
        return self._unique(lambda: f"{prefix}{rng.randrange(10**6, 10**7)}")

    def encounter(self, rng: random.Random) -> str:
        return self._unique(lambda: f"V{self.encounter_prefix}{rng.randrange(10**5, 10**6)}")

    def statement(self, rng: random.Random) -> str:
        self.next_statement += rng.randint(3, 61)
        return f"INV-{self.next_statement}"

    def estimate(self, rng: random.Random) -> str:
        self.next_estimate += rng.randint(1, 9)
        return f"EST-{self.next_estimate}"

    def _unique(self, draw: Callable[[], str]) -> str:
        while True:
            candidate: str = draw()
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def encounter(rng: random.Random, ids: SeedIds, min_statement_cents: int) -> SeedEncounter:
    visit_date = ANCHOR_DATE - timedelta(days=rng.randint(30, 200))
    department = rng.choice(DEPARTMENTS)
    facility = rng.choice(FACILITIES)
    encounter_id = ids.encounter(rng)
    lines: list[SeedLine] = []
    count = rng.randint(1, 4)
    # A visit bills a handful of services; magic users need enough left to pay in parts.
    while len(lines) < count or sum(line.patient_cents for line in lines) < min_statement_cents:
        service = rng.choice(department.services)
        charge = rng.randint(service.min_charge_cents, service.max_charge_cents)
        lines.append(
            SeedLine(
                service_date=visit_date + timedelta(days=rng.choice((0, 0, 0, 1))),
                code=service.code,
                code_system=service.code_system,
                description=service.description,
                charge_cents=charge,
                patient_cents=max(1, charge * rng.choice(PATIENT_SHARES) // 100),
            )
        )
    lines.sort(key=lambda line: (line.service_date, line.code))
    statement_date = min(ANCHOR_DATE, visit_date + timedelta(days=rng.randint(10, 25)))
    statement = SeedStatement(
        statement_id=ids.statement(rng),
        statement_date=statement_date,
        due_date=statement_date + timedelta(days=DUE_DAYS),
        lines=tuple(lines),
    )
    return SeedEncounter(encounter_id, visit_date, facility, department.name, statement)


def estimate(rng: random.Random, ids: SeedIds, status: str, account_number: str) -> SeedEstimate:
    if status == "expired":
        service_date = ANCHOR_DATE - timedelta(days=rng.randint(20, 90))
    else:
        service_date = ANCHOR_DATE + timedelta(days=rng.randint(7, 60))
    picked = rng.sample(ELECTIVE, rng.randint(1, 3))
    lines = []
    for service in picked:
        charge = rng.randint(service.min_charge_cents, service.max_charge_cents)
        lines.append(
            SeedEstimateLine(
                code=service.code,
                code_system=service.code_system,
                description=service.description,
                expected_charge_cents=charge,
                patient_cents=max(1, charge * rng.choice(PATIENT_SHARES) // 100),
            )
        )
    responsibility = sum(line.patient_cents for line in lines)
    # Hospitals ask a quarter up front, in whole dollars, at least $50 (never above the total).
    deposit = min(responsibility, max(5000, responsibility // 4 // 100 * 100))
    return SeedEstimate(
        estimate_id=ids.estimate(rng),
        account_number=account_number,
        service_date=service_date,
        facility=rng.choice(FACILITIES),
        status=status,
        lines=tuple(lines),
        deposit_cents=deposit,
    )


def upcoming_visits(
    estimates: tuple[SeedEstimate, ...], ids: SeedIds, stream: str
) -> tuple[SeedEstimate, ...]:
    """Each estimate with the encounter it was made for, drawn from a stream of its own so
    the rest of the seed is the same as before estimates had encounters."""
    rng = random.Random(stream)
    return tuple(replace(estimate, encounter_id=ids.encounter(rng)) for estimate in estimates)
