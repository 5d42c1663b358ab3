"""Settlement reconciliation: the portal's settlement export against the money BillBridge moved.

One model in and one out for the workflow and each of its activities; the report's lines
and summary are what the CSV and JSON artifacts hold.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.audit import Actor, unattributed
from models.card_numbers import refuse_card_numbers_in
from models.connection_session import SessionLease
from models.identifiers import refuse_personal_data_in_id
from models.payments import StoredArtifact
from models.settlements import SettlementBatch


class ReconcileRequest(BaseModel):
    """Input of ReconcileSettlementsWorkflow: a connection, nothing else to know."""

    connection_id: str = Field(min_length=1)
    idempotency_key: str = Field(min_length=1, max_length=200)
    requested_by: Actor = Field(default_factory=unattributed)

    def validate_for_reconciling(self) -> None:
        """Checks that need no portal (typed errors, not validators: see PostPaymentRequest)."""
        refuse_card_numbers_in(self)
        refuse_personal_data_in_id(self.idempotency_key, "idempotency_key")
        refuse_personal_data_in_id(self.connection_id, "connection_id")


class SettlementDelivery(StrEnum):
    BROWSER = "browser"  # the portal's CSV export, downloaded in a signed-in session
    SFTP = "sftp"  # daily files on the portal's SFTP server


class DeliveryLookup(BaseModel):
    connection_id: str


class ExportDownload(BaseModel):
    lease: SessionLease
    storage_prefix: str  # where the run keeps the files it fetched


class SftpFetch(BaseModel):
    connection_id: str
    storage_prefix: str  # where the run keeps the files it fetched


class FetchedSettlements(BaseModel):
    """The batches as the portal reported them, and the files they came in (kept as
    encrypted artifacts exactly as downloaded)."""

    batches: list[SettlementBatch]
    files: list[StoredArtifact]


class PostedMoneyLookup(BaseModel):
    connection_id: str


class PostedMoney(BaseModel):
    """One payment or refund BillBridge moved, from the audit trail."""

    action: str  # the audit action it was recorded under (payment.posted, refund…)
    number: str  # the portal's confirmation or refund number
    amount_cents: int  # as recorded: positive
    posted_at: datetime
    reference: str | None = None


class PostedLedger(BaseModel):
    money: list[PostedMoney]
    known_chargebacks: list[str]  # chargeback ids already marked on their payments


class MatchStatus(StrEnum):
    MATCHED = "matched"
    MISSING = "missing"  # BillBridge moved it; no settled batch has it
    AMOUNT_DIFFERS = "amount_differs"
    UNEXPECTED = "unexpected"  # settled, but not moved by BillBridge
    CHARGEBACK = "chargeback"  # the card network took a payment back
    PENDING = "pending"  # not settled yet (still in an open batch, or after the last cutoff)


class ReconciliationLine(BaseModel):
    status: MatchStatus
    number: str  # confirmation, refund or chargeback number
    batch_id: str | None = None
    expected_cents: int | None = None  # what BillBridge moved (signed as in the export)
    settled_cents: int | None = None  # what the export shows
    payment_number: str | None = None  # a chargeback's payment, where it is known


class ReconciliationSummary(BaseModel):
    connection_id: str
    reconciled_at: datetime
    batches: list[str]
    settled_through: date | None  # the last settled batch's business day
    matched: int = 0
    missing: int = 0
    amount_differs: int = 0
    unexpected: int = 0
    chargeback: int = 0
    pending: int = 0

    @property
    def clean(self) -> bool:
        return not (self.missing or self.amount_differs or self.unexpected or self.chargeback)

    def describe(self) -> str:
        counts = ", ".join(
            f"{status.value} {getattr(self, status.value)}" for status in MatchStatus
        )
        return f"{len(self.batches)} batches through {self.settled_through}: {counts}"


class ReconciliationReport(BaseModel):
    summary: ReconciliationSummary
    lines: list[ReconciliationLine]


class ReportInput(BaseModel):
    storage_prefix: str
    report: ReconciliationReport


class ReportArtifacts(BaseModel):
    csv: StoredArtifact
    summary_json: StoredArtifact


class ReconcileResult(BaseModel):
    summary: ReconciliationSummary
    report: ReportArtifacts
    settlement_files: list[StoredArtifact]
    chargebacks_marked: list[str]  # chargeback ids this run marked on their payments


class ReconcileStep(StrEnum):
    CHECKING_OFFER = "checking_offer"
    AWAITING_SESSION = "awaiting_session"
    FETCHING_EXPORT = "fetching_export"
    READING_LEDGER = "reading_ledger"
    MATCHING = "matching"
    MARKING_CHARGEBACKS = "marking_chargebacks"
    WRITING_REPORT = "writing_report"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _RECONCILE_STEP_LABELS[self]


_RECONCILE_STEP_LABELS = {
    ReconcileStep.CHECKING_OFFER: "Checking the portal offers settlement exports",
    ReconcileStep.AWAITING_SESSION: "Waiting for a portal session",
    ReconcileStep.FETCHING_EXPORT: "Fetching the settlement export",
    ReconcileStep.READING_LEDGER: "Reading what BillBridge posted",
    ReconcileStep.MATCHING: "Matching the export against the postings",
    ReconcileStep.MARKING_CHARGEBACKS: "Marking charged-back payments",
    ReconcileStep.WRITING_REPORT: "Writing the reconciliation report",
    ReconcileStep.COMPLETED: "Reconciled",
    ReconcileStep.FAILED: "Failed",
}


class ReconcileProgress(BaseModel):
    step: ReconcileStep
    detail: str = ""

    def describe(self) -> str:
        return f"{self.step.label} ({self.detail})" if self.detail else self.step.label
