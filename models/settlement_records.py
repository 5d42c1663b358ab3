"""Settlement batches and reconciliation reports as the read model holds and the API shows
them: the workflow's last activity records a finished run, the API serves it from the
database (never from a browser).

``RecordReconciliation`` is that activity's one model in, ``RecordedReconciliation`` its one
model out; the ``…Public`` models are the HTTP responses.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from models.money import Money
from models.reconciliation import (
    MatchStatus,
    ReconciliationLine,
    ReconciliationReport,
    ReportArtifacts,
)
from models.settlements import SettlementBatch, SettlementDetailType, SettlementStatus

# The outcomes a person has to look at; matched and pending lines need nobody.
NEEDS_REVIEW = (
    MatchStatus.MISSING,
    MatchStatus.AMOUNT_DIFFERS,
    MatchStatus.UNEXPECTED,
    MatchStatus.CHARGEBACK,
)


class RecordReconciliation(BaseModel):
    connection_id: str
    workflow_id: str
    run_id: str  # with the workflow id, the report's key: a retried activity records once
    batches: list[SettlementBatch]
    report: ReconciliationReport
    artifacts: ReportArtifacts
    chargebacks_marked: list[str]


class RecordedReconciliation(BaseModel):
    # None: the connection has no tenant in the read model (made by the CLI), nothing kept.
    report_id: str | None = None
    batch_ids: list[str] = []


class ReportContents(BaseModel):
    """What a report row keeps sealed: its lines name payments by the portal's numbers."""

    batches: list[str]
    lines: list[ReconciliationLine]
    chargebacks_marked: list[str]


class SettlementTransactionPublic(BaseModel):
    identifier: str  # the portal's confirmation, refund or chargeback number
    type: SettlementDetailType
    amount: Money  # negative for money out (refunds, chargebacks)
    date: date
    reference: str | None = None
    reverses: str | None = None


class SettlementBatchPublic(BaseModel):
    object: Literal["settlement_batch"] = "settlement_batch"
    id: str
    connection_id: str
    batch_id: str  # the portal's identifier of the batch
    status: SettlementStatus
    batch_date: date  # the business day the batch closes on (its period's end)
    period_start: date
    payment_date: date | None  # when the processor deposits the net amount
    net_amount: Money
    payments_cents: int
    refunds_cents: int  # negative: money out
    chargebacks_cents: int  # negative: money out
    transaction_count: int
    # Only on GET /settlements/{id}; lists leave them out (null).
    transactions: list[SettlementTransactionPublic] | None = None
    synced_at: datetime


class ReconciliationCounts(BaseModel):
    matched: int = 0
    missing: int = 0
    amount_differs: int = 0
    unexpected: int = 0
    chargeback: int = 0
    pending: int = 0


class ReconciliationReportPublic(BaseModel):
    object: Literal["reconciliation_report"] = "reconciliation_report"
    id: str
    connection_id: str
    run_id: str  # the reconciliation run (POST /reconciliations' id) that wrote it
    reconciled_at: datetime
    settled_through: date | None
    batches: list[str]  # the portal's identifiers of the settled batches it read
    counts: ReconciliationCounts
    clean: bool  # nothing missing, differing, unexpected or charged back
    chargebacks_marked: list[str]
    # Only on GET /reconciliation-reports/{id}: the lines a person must look at.
    needs_review: list[ReconciliationLine] | None = None
    csv_url: str
    synced_at: datetime


class ReconciliationStart(BaseModel):
    """POST /reconciliations: reconcile one connection now."""

    connection_id: str = Field(min_length=1, max_length=64)


class ReconciliationRunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ReconciliationRunPublic(BaseModel):
    object: Literal["reconciliation_run"] = "reconciliation_run"
    id: str  # the run's workflow id
    connection_id: str
    status: ReconciliationRunStatus
    # Once completed and recorded: the report's id and where to read it.
    report_id: str | None = None
    links: dict[str, str]


class ReconciliationScheduleUpdate(BaseModel):
    at: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, UTC")


class ReconciliationSchedulePublic(BaseModel):
    object: Literal["reconciliation_schedule"] = "reconciliation_schedule"
    id: str  # the Temporal Schedule's id
    connection_id: str
    at: str  # HH:MM, UTC
    created: bool  # False: an existing schedule was updated
