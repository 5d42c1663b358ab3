"""Statements (invoice-like documents, FHIR Invoice) and their itemized charges.

FHIR mapping: ``statement_id`` Invoice.identifier, ``issued_on`` Invoice.date, ``total``
Invoice.totalGross, ``balance`` the amount still owed, ``status`` Invoice.status,
``line_items`` Invoice.lineItem (CPT/HCPCS ``code`` as chargeItemCodeableConcept).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.money import Money
from models.vendor_extensions import StatementExtension


class StatementStatus(StrEnum):
    """Aligned with FHIR Invoice.status: issued (money owed), balanced (paid), cancelled."""

    ISSUED = "issued"
    BALANCED = "balanced"
    CANCELLED = "cancelled"


class LineItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    service_date: date
    code: str  # CPT or HCPCS procedure code
    code_system: str  # "CPT" | "HCPCS"
    description: str
    charge: Money
    patient_responsibility: Money


class StatementSummary(BaseModel):
    """One row of a portal's statements list."""

    model_config = ConfigDict(frozen=True)

    statement_id: str
    issued_on: date
    due_on: date
    total: Money
    balance: Money
    status: StatementStatus
    extension: StatementExtension | None = None


class Statement(StatementSummary):
    """A statement's detail page: the summary plus its itemized charges."""

    account_number: str
    line_items: list[LineItem]
