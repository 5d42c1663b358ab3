"""Reconciling a connection's settlement export against the money BillBridge moved, daily.

Fetches every batch the portal reports (through the browser on Patientco, over SFTP on
HealthPay24), keeps the files, matches them against the payments and refunds in the audit
trail (``workflows/settlement_matching.py``), marks each new chargeback on its payment (an
audit entry and an event), writes the report (CSV and a JSON summary) and records the
batches and the report in the read model for the HTTP API (a tenant's connections only).
A Temporal Schedule starts it every day (``billbridge reconcile schedule``).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.reconciliation import ReconciliationActivities
    from activities.settlement_records import SettlementRecordActivities
    from models.audit import AuditAction, AuditDetail
    from models.events import EventType
    from models.offerings import Process
    from models.reconciliation import (
        DeliveryLookup,
        ExportDownload,
        FetchedSettlements,
        MatchStatus,
        PostedMoneyLookup,
        ReconcileProgress,
        ReconcileRequest,
        ReconcileResult,
        ReconcileStep,
        ReportInput,
        SettlementDelivery,
        SftpFetch,
    )
    from models.settlement_records import RecordReconciliation
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.offerings import require_offered
    from workflows.policies import FILE_ACTIVITY, SESSION_BOUND_ACTIVITY, SFTP_ACTIVITY
    from workflows.session_lease import SessionLeases
    from workflows.settlement_matching import reconcile
    from workflows.typed_failures import failing_typed

# Runs started before this code recorded nothing in the read model; they replay without it.
READ_MODEL_PATCH = "record-reconciliation-in-read-model"


@workflow.defn
class ReconcileSettlementsWorkflow:
    def __init__(self) -> None:
        self._progress = ReconcileProgress(step=ReconcileStep.CHECKING_OFFER)
        self._session = SessionLeases()
        self._audit = AuditTrail()
        self._events = Events()

    @workflow.query
    def progress(self) -> ReconcileProgress:
        return self._progress

    @workflow.run
    async def run(self, request: ReconcileRequest) -> ReconcileResult:
        return await failing_typed(self._reconcile(request), on_failure=self._fail)

    async def _reconcile(self, request: ReconcileRequest) -> ReconcileResult:
        request.validate_for_reconciling()
        connection_id = request.connection_id
        self._advance(ReconcileStep.CHECKING_OFFER, f"connection {connection_id}")
        await require_offered(connection_id, Process.SETTLEMENT_EXPORTS)
        # The run id: unique per run, also for the daily runs a schedule starts.
        prefix = f"reconciliation/{connection_id}/{workflow.info().run_id}"

        fetched = await self._fetch(connection_id, prefix)
        self._advance(ReconcileStep.READING_LEDGER, f"{len(fetched.batches)} batches fetched")
        ledger = await workflow.execute_activity_method(
            ReconciliationActivities.read_posted_money,
            PostedMoneyLookup(connection_id=connection_id),
            **FILE_ACTIVITY,
        )

        self._advance(ReconcileStep.MATCHING, f"{len(ledger.money)} postings")
        report = reconcile(connection_id, fetched.batches, ledger.money, workflow.now())

        marked = []
        known = set(ledger.known_chargebacks)
        for line in report.lines:
            if line.status is not MatchStatus.CHARGEBACK or line.number in known:
                continue
            self._advance(ReconcileStep.MARKING_CHARGEBACKS, f"chargeback {line.number}")
            details: dict[str, AuditDetail] = {
                "payment_number": line.payment_number,
                "chargeback_number": line.number,
                "amount_cents": line.settled_cents,
                "batch_id": line.batch_id,
            }
            await self._audit.record(
                AuditAction.PAYMENT_CHARGED_BACK,
                request.requested_by,
                "charged_back",
                connection_id=connection_id,
                **details,
            )
            await self._events.raise_event(EventType.PAYMENT_CHARGED_BACK, connection_id, **details)
            known.add(line.number)
            marked.append(line.number)

        self._advance(ReconcileStep.WRITING_REPORT, report.summary.describe())
        artifacts = await workflow.execute_activity_method(
            ReconciliationActivities.write_reconciliation_report,
            ReportInput(storage_prefix=prefix, report=report),
            **FILE_ACTIVITY,
        )
        if workflow.patched(READ_MODEL_PATCH):
            # What the API serves (GET /settlements, /reconciliation-reports) comes from here.
            await workflow.execute_activity_method(
                SettlementRecordActivities.record_reconciliation,
                RecordReconciliation(
                    connection_id=connection_id, workflow_id=workflow.info().workflow_id,
                    run_id=workflow.info().run_id, batches=fetched.batches, report=report,
                    artifacts=artifacts, chargebacks_marked=marked,
                ),
                **FILE_ACTIVITY,
            )  # fmt: skip
        self._advance(ReconcileStep.COMPLETED, report.summary.describe())
        return ReconcileResult(
            summary=report.summary,
            report=artifacts,
            settlement_files=fetched.files,
            chargebacks_marked=marked,
        )

    async def _fetch(self, connection_id: str, prefix: str) -> FetchedSettlements:
        delivery = await workflow.execute_activity_method(
            ReconciliationActivities.settlement_delivery,
            DeliveryLookup(connection_id=connection_id),
            **FILE_ACTIVITY,
        )
        if delivery is SettlementDelivery.SFTP:
            self._advance(ReconcileStep.FETCHING_EXPORT, "settlement files over SFTP")
            return await workflow.execute_activity_method(
                ReconciliationActivities.fetch_settlement_files,
                SftpFetch(connection_id=connection_id, storage_prefix=prefix),
                **SFTP_ACTIVITY,
            )
        self._advance(ReconcileStep.AWAITING_SESSION, f"connection {connection_id}")
        await self._session.obtain(connection_id)
        self._advance(ReconcileStep.FETCHING_EXPORT, "batch exports in the portal")
        return await self._session.run(
            lambda lease: workflow.execute_activity_method(
                ReconciliationActivities.download_settlement_exports,
                ExportDownload(lease=lease, storage_prefix=prefix),
                **SESSION_BOUND_ACTIVITY,
            )
        )

    def _advance(self, step: ReconcileStep, detail: str) -> None:
        self._progress = ReconcileProgress(step=step, detail=detail)
        workflow.set_current_details(f"{step.label}: {detail}")
        workflow.logger.info("reconciliation step %s", step.value)

    def _fail(self, message: str) -> None:
        self._progress = ReconcileProgress(step=ReconcileStep.FAILED, detail=message)
        workflow.set_current_details(f"failed: {message}")
