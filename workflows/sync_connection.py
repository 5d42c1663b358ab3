"""Syncing a connection into the read model: sign in through the connection's session,
read accounts and guarantors, statements with their line items (and PDF where offered),
estimates where offered, write each through activities, and say which statements are new.

Started by the connection's Schedule, after every write outcome and by ``?refresh=true``,
always as ``sync-<connection_id>`` so concurrent asks join one run.

Waiting for a session is bounded (``session_wait_seconds``): an unattended sync never
waits for a person for long. A login that needs new credentials fails it at once
(fail-fast); one waiting for an MFA code is waited for up to the bound, so a person
answering promptly still gets their sync, and then the sync fails with ``LoginFailed``,
leaving the read model as the last sync left it. The session workflow goes on waiting for
the code; the next scheduled sync asks again.

A statement whose list row is as the last sync read it (and whose PDF is kept) is not
opened again: it is only marked seen.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.sync_reading import SyncReadingActivities
    from activities.sync_recording import SyncRecordingActivities
    from models.connection_session import SessionLease
    from models.connection_sync import (
        FinishSync,
        RecordAccounts,
        RecordedStatements,
        RecordEstimates,
        RecordStatementPdf,
        RecordStatements,
        StatementPdfFetch,
        StatementRead,
        StatementsListed,
        StatementsLookup,
        StatementsRead,
        SyncConnectionRequest,
        SyncProgress,
        SyncReading,
        SyncResult,
        SyncStep,
        TouchUnchanged,
        offers_pdf,
    )
    from models.errors import LoginFailed
    from models.events import EventType
    from models.statements import StatementSummary
    from workflows.events import Events
    from workflows.policies import READ_MODEL_ACTIVITY, SESSION_BOUND_ACTIVITY
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import failing_typed, workflow_failure


# Statements opened per browser activity: a context and a restored session cost more than
# one statement, while a batch stays well inside the activity's start-to-close timeout.
STATEMENTS_PER_ACTIVITY = 10


@workflow.defn
class SyncConnectionWorkflow:
    def __init__(self) -> None:
        self._progress = SyncProgress(step=SyncStep.AWAITING_SESSION)
        self._session = SessionLeases()
        self._events = Events()
        self._created: list[str] = []

    @workflow.query
    def progress(self) -> SyncProgress:
        return self._progress

    @workflow.run
    async def run(self, request: SyncConnectionRequest) -> SyncResult:
        return await failing_typed(self._sync(request), on_failure=self._fail)

    async def _sync(self, request: SyncConnectionRequest) -> SyncResult:
        connection_id = request.connection_id
        # One time for every object of this run: what "synced_at" means to a reader.
        synced_at = workflow.now()
        self._advance(SyncStep.AWAITING_SESSION, f"connection {connection_id}")
        try:
            await asyncio.wait_for(
                self._session.obtain(connection_id, fail_fast=True),
                timeout=request.session_wait_seconds,
            )
        except TimeoutError:
            raise workflow_failure(
                LoginFailed.__name__,
                f"no signed-in session on connection {connection_id} within "
                f"{request.session_wait_seconds} s (a login waits for an MFA code?); "
                "the read model keeps the last sync's data",
            ) from None

        self._advance(SyncStep.READING_ACCOUNTS, f"connection {connection_id}")
        accounts = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                SyncReadingActivities.read_accounts, SyncReading(lease=lease),
                **SESSION_BOUND_ACTIVITY,
            )
        )  # fmt: skip
        if accounts.offered:
            await workflow.execute_activity_method(
                SyncRecordingActivities.record_accounts,
                RecordAccounts(
                    connection_id=connection_id, accounts=accounts.accounts, synced_at=synced_at
                ),
                **READ_MODEL_ACTIVITY,
            )
            self._count(accounts=len(accounts.accounts))

        self._advance(SyncStep.READING_STATEMENTS, f"connection {connection_id}")
        listed: StatementsListed = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                SyncReadingActivities.list_statements, SyncReading(lease=lease),
                **SESSION_BOUND_ACTIVITY,
            )
        )  # fmt: skip
        if listed.offered:
            await self._statements(connection_id, listed, synced_at)

        self._advance(SyncStep.READING_ESTIMATES, f"connection {connection_id}")
        estimates = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                SyncReadingActivities.read_estimates, SyncReading(lease=lease),
                **SESSION_BOUND_ACTIVITY,
            )
        )  # fmt: skip
        if estimates.offered:
            await workflow.execute_activity_method(
                SyncRecordingActivities.record_estimates,
                RecordEstimates(
                    connection_id=connection_id,
                    estimates=estimates.estimates,
                    synced_at=synced_at,
                ),
                **READ_MODEL_ACTIVITY,
            )
            self._count(estimates=len(estimates.estimates))

        self._advance(SyncStep.FINISHING, f"connection {connection_id}")
        await workflow.execute_activity_method(
            SyncRecordingActivities.finish_sync,
            FinishSync(connection_id=connection_id, synced_at=synced_at),
            **READ_MODEL_ACTIVITY,
        )
        self._advance(
            SyncStep.SYNCED,
            f"{self._progress.statements_listed} statements "
            f"({self._progress.statements_created} new, "
            f"{self._progress.statements_unchanged} unchanged)",
        )
        return SyncResult(
            connection_id=connection_id,
            synced_at=synced_at,
            progress=self._progress,
            created_statement_ids=self._created,
        )

    async def _statements(
        self, connection_id: str, listed: StatementsListed, synced_at: datetime
    ) -> None:
        unchanged = await workflow.execute_activity_method(
            SyncRecordingActivities.touch_unchanged_statements,
            TouchUnchanged(
                connection_id=connection_id,
                listed=listed.statements,
                pdfs_offered=listed.pdfs_offered,
                synced_at=synced_at,
            ),
            **READ_MODEL_ACTIVITY,
        )
        skipped = set(unchanged.statement_ids)
        self._count(statements_listed=len(listed.statements), statements_unchanged=len(skipped))
        changed = [s for s in listed.statements if s.statement_id not in skipped]
        for first in range(0, len(changed), STATEMENTS_PER_ACTIVITY):
            batch = changed[first : first + STATEMENTS_PER_ACTIVITY]
            await self._statement_batch(connection_id, batch, listed.pdfs_offered, synced_at)

    async def _statement_batch(
        self,
        connection_id: str,
        batch: list[StatementSummary],
        pdfs_offered: bool,
        synced_at: datetime,
    ) -> None:
        self._advance(
            SyncStep.READING_STATEMENTS,
            f"statements {self._progress.statements_read + 1}-"
            f"{self._progress.statements_read + len(batch)} of "
            f"{self._progress.statements_listed - self._progress.statements_unchanged}",
        )
        ids = [summary.statement_id for summary in batch]
        read: StatementsRead = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                SyncReadingActivities.read_statements,
                StatementsLookup(lease=lease, statement_ids=ids),
                **SESSION_BOUND_ACTIVITY,
            )
        )
        recorded: RecordedStatements = await workflow.execute_activity_method(
            SyncRecordingActivities.record_statements,
            RecordStatements(
                connection_id=connection_id,
                statements=[
                    StatementRead(statement=statement, listed_as=listed)
                    for statement, listed in zip(read.statements, batch, strict=True)
                ],
                synced_at=synced_at,
            ),
            **READ_MODEL_ACTIVITY,
        )
        self._count(statements_read=len(batch))
        for listed, row in zip(batch, recorded.statements, strict=True):
            if pdfs_offered and offers_pdf(listed):
                await self._keep_pdf(connection_id, listed.statement_id, row.id)
            if row.created:
                self._created.append(row.id)
                self._count(statements_created=1)
                # After the row is written: a caller told of it finds GET /statements/{id}.
                await self._events.raise_event(
                    EventType.STATEMENT_CREATED,
                    connection_id,
                    statement_id=row.id,
                    balance_cents=row.balance_cents,
                )

    async def _keep_pdf(self, connection_id: str, statement_id: str, read_model_id: str) -> None:
        def fetch(lease: SessionLease) -> StatementPdfFetch:
            return StatementPdfFetch(
                lease=lease, statement_id=statement_id, read_model_id=read_model_id
            )

        kept = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                SyncReadingActivities.keep_statement_pdf, fetch(lease), **SESSION_BOUND_ACTIVITY
            )
        )
        if kept.artifact_key is None:
            return
        await workflow.execute_activity_method(
            SyncRecordingActivities.record_statement_pdf,
            RecordStatementPdf(
                connection_id=connection_id,
                statement_id=read_model_id,
                artifact_key=kept.artifact_key,
            ),
            **READ_MODEL_ACTIVITY,
        )
        self._count(pdfs_kept=1)

    def _count(self, **added: int) -> None:
        counts = {name: getattr(self._progress, name) + value for name, value in added.items()}
        self._progress = self._progress.model_copy(update=counts)

    def _advance(self, step: SyncStep, detail: str) -> None:
        self._progress = self._progress.model_copy(update={"step": step, "detail": detail})
        workflow.set_current_details(f"{step.value.replace('_', ' ')}: {detail}")

    def _fail(self, message: str) -> None:
        self._progress = self._progress.model_copy(
            update={"step": SyncStep.FAILED, "detail": message}
        )
        workflow.set_current_details(f"failed: {message}")
