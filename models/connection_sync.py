"""Syncing a connection into the read model: what the workflow takes, shows and returns,
and what its activities exchange (portal objects travel encrypted by the payload codec)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.accounts import Account
from models.connection_session import SessionLease
from models.estimates import Estimate
from models.statements import Statement, StatementSummary

SYNC_WORKFLOW = "SyncConnectionWorkflow"
# A scheduled sync waits this long for a signed-in session (a login, a person's MFA code)
# before it fails and leaves the data as the last sync left it; the next one asks again.
DEFAULT_SESSION_WAIT_SECONDS = 300


def offers_pdf(listed: StatementSummary) -> bool:
    """Whether the list row says the statement has a PDF; only HealthPay24's list says,
    so elsewhere a portal that offers PDFs is asked for each statement's."""
    return bool(getattr(listed.extension, "pdf_available", True))


def sync_workflow_id(connection_id: str) -> str:
    return f"sync-{connection_id}"


def sync_schedule_id(connection_id: str) -> str:
    return f"sync-schedule-{connection_id}"


class SyncConnectionRequest(BaseModel):
    connection_id: str = Field(min_length=1, max_length=64)
    session_wait_seconds: int = Field(default=DEFAULT_SESSION_WAIT_SECONDS, ge=1, le=86_400)


class SyncStep(StrEnum):
    AWAITING_SESSION = "awaiting_session"
    READING_ACCOUNTS = "reading_accounts"
    READING_STATEMENTS = "reading_statements"
    READING_ESTIMATES = "reading_estimates"
    FINISHING = "finishing"
    SYNCED = "synced"
    FAILED = "failed"


class SyncProgress(BaseModel):
    step: SyncStep
    detail: str = ""
    accounts: int = 0
    statements_listed: int = 0
    statements_read: int = 0
    statements_unchanged: int = 0
    statements_created: int = 0
    pdfs_kept: int = 0
    estimates: int = 0


class SyncResult(BaseModel):
    connection_id: str
    synced_at: datetime
    progress: SyncProgress
    # Read-model ids of the statements this sync saw for the first time.
    created_statement_ids: list[str] = []


# --- the browser activities ----------------------------------------------------------------


class SyncReading(BaseModel):
    lease: SessionLease


class AccountsRead(BaseModel):
    offered: bool  # False: the portal's adapter lists no accounts
    accounts: list[Account] = []


class StatementsListed(BaseModel):
    offered: bool
    pdfs_offered: bool = False
    statements: list[StatementSummary] = []


class EstimatesRead(BaseModel):
    offered: bool
    estimates: list[Estimate] = []


class StatementsLookup(BaseModel):
    lease: SessionLease
    statement_ids: list[str]  # the portal's


class StatementsRead(BaseModel):
    statements: list[Statement]


class StatementPdfFetch(BaseModel):
    lease: SessionLease
    statement_id: str  # the portal's
    read_model_id: str  # the read model's, which names the artifact


class KeptPdf(BaseModel):
    artifact_key: str | None  # None: the portal shows no PDF for this statement


# --- the read-model activities -------------------------------------------------------------


class RecordAccounts(BaseModel):
    connection_id: str
    accounts: list[Account]
    synced_at: datetime


class Recorded(BaseModel):
    count: int


class TouchUnchanged(BaseModel):
    connection_id: str
    listed: list[StatementSummary]
    pdfs_offered: bool
    synced_at: datetime


class UnchangedStatements(BaseModel):
    statement_ids: list[str]  # the portal's


class StatementRead(BaseModel):
    statement: Statement
    listed_as: StatementSummary


class RecordStatements(BaseModel):
    connection_id: str
    statements: list[StatementRead]
    synced_at: datetime


class RecordedStatement(BaseModel):
    id: str
    statement_id: str  # the portal's
    created: bool
    balance_cents: int


class RecordedStatements(BaseModel):
    statements: list[RecordedStatement]


class RecordStatementPdf(BaseModel):
    connection_id: str
    statement_id: str  # the read model's
    artifact_key: str


class RecordEstimates(BaseModel):
    connection_id: str
    estimates: list[Estimate]
    synced_at: datetime


class FinishSync(BaseModel):
    connection_id: str
    synced_at: datetime
