"""Pre-service estimates (expected patient responsibility per procedure)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.money import Money


class EstimateStatus(StrEnum):
    ACTIVE = "active"
    DEPOSIT_PAID = "deposit-paid"
    EXPIRED = "expired"


class EstimateLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # CPT or HCPCS
    code_system: str
    description: str
    expected_charge: Money
    patient_responsibility: Money


class Estimate(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    status: EstimateStatus
    service_date: date
    account: str | None = None
    lines: list[EstimateLine]
    patient_responsibility: Money  # sum of the lines
    deposit_due: Money
