"""Who owes and on which account: FHIR Patient/Guarantor and Account, for every portal.

A Cedar patient, a Patientco guarantor account and a HealthPay24 account all become one
``Account`` with its ``Guarantor``. Field names follow FHIR R5 where FHIR has them
(``Account.identifier``, ``status``, ``name``, ``guarantor``, ``balance``;
``Patient.name``, ``birthDate``, an MR ``identifier``; ``Encounter.identifier``,
``period``, ``serviceType``). What only one vendor shows goes into its typed extension.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.money import Money
from models.vendor_extensions import AccountExtension


class AccountStatus(StrEnum):
    """FHIR Account.status (the values a portal can show)."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    ON_HOLD = "on-hold"


class Guarantor(BaseModel):
    """The person responsible for the account (FHIR Account.guarantor.party)."""

    model_config = ConfigDict(frozen=True)

    identifier: str  # the portal's id for the person
    name: str
    birth_date: date | None = None
    mrn: str | None = None  # medical record number, where the portal shows one


class Encounter(BaseModel):
    """A visit the account's charges come from (FHIR Encounter)."""

    model_config = ConfigDict(frozen=True)

    identifier: str
    period_start: date
    service_type: str | None = None  # department or service line
    facility: str | None = None


class Account(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    name: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    guarantor: Guarantor
    balance: Money
    encounters: list[Encounter] = []
    extension: AccountExtension | None = None
