"""What only one vendor shows, typed per vendor and never lost, never a free-form dict.

Each normalized model that can carry vendor-only fields has an ``extension`` whose type is
a union discriminated by ``vendor``. Adding a field: add it to the vendor's class here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Extension(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CedarAccountExtension(_Extension):
    vendor: Literal["cedar"] = "cedar"


class PatientcoAccountExtension(_Extension):
    vendor: Literal["patientco"] = "patientco"
    facility: str | None = None  # where the account's most recent encounter took place
    guarantor_number: str | None = None
    patient_mrns: tuple[str, ...] = ()  # every patient the guarantor account covers


class HealthPay24AccountExtension(_Extension):
    vendor: Literal["healthpay24"] = "healthpay24"
    autopay_enrolled: bool = False


class PatientcoStatementExtension(_Extension):
    vendor: Literal["patientco"] = "patientco"
    period_start: date | None = None
    period_end: date | None = None
    delivery_channel: Literal["email", "sms", "paper"] | None = None
    delivery_status: Literal["delivered", "bounced", "pending"] | None = None
    account_number: str | None = None  # the guarantor account the statement bills
    guarantor_number: str | None = None


class HealthPay24StatementExtension(_Extension):
    vendor: Literal["healthpay24"] = "healthpay24"
    pdf_available: bool = False
    encounter_id: str | None = None  # the visit the statement bills
    account_number: str | None = None  # HealthPay24 lists statements under their account


class CedarStatementExtension(_Extension):
    vendor: Literal["cedar"] = "cedar"


AccountExtension = Annotated[
    CedarAccountExtension | PatientcoAccountExtension | HealthPay24AccountExtension,
    Field(discriminator="vendor"),
]
StatementExtension = Annotated[
    CedarStatementExtension | PatientcoStatementExtension | HealthPay24StatementExtension,
    Field(discriminator="vendor"),
]
