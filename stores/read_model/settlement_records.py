"""What a finished reconciliation leaves in the read model, and the API's reads of it.

A run records every batch it fetched (again = updated in place: same id, same place in the
pages, like synced objects) and one report, keyed by its workflow and run ids so a retried
activity records it once. Batches' transactions and reports' lines are sealed
(``sealed_rows.py``): they carry the portal's payment numbers, references and accounts.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.money import Money
from models.pages import Page, PageRequest
from models.reconciliation import MatchStatus
from models.settlement_records import (
    NEEDS_REVIEW,
    ReconciliationCounts,
    ReconciliationReportPublic,
    RecordedReconciliation,
    RecordReconciliation,
    ReportContents,
    SettlementBatchPublic,
    SettlementTransactionPublic,
)
from models.settlements import SettlementBatch, SettlementDetailType
from stores.read_model.paging import page_rows
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.tables import ReconciliationReportRow, SettlementBatchRow

_BATCHES = SettlementBatchRow.__tablename__
_REPORTS = ReconciliationReportRow.__tablename__


class SettlementRecordNotFound(LookupError):
    """No such batch or report in that tenant."""


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _total(batch: SettlementBatch, kind: SettlementDetailType) -> int:
    return sum(d.amount.amount_cents for d in batch.details if d.type is kind)


def csv_path(report_id: str) -> str:
    return f"/reconciliation-reports/{report_id}/csv"


class SettlementRecords:
    def __init__(self, engine: Engine, sealer: RowSealer) -> None:
        self._engine = engine
        self._sealer = sealer

    # --- writing (the reconciliation's last activity) -------------------------------------

    def record(
        self, tenant_id: str, run: RecordReconciliation, recorded_at: datetime
    ) -> RecordedReconciliation:
        with Session(self._engine) as session, session.begin():
            batch_ids = [
                self._record_batch(session, tenant_id, run.connection_id, b, recorded_at).id
                for b in run.batches
            ]
            report = session.scalar(
                select(ReconciliationReportRow).where(
                    ReconciliationReportRow.workflow_id == run.workflow_id,
                    ReconciliationReportRow.run_id == run.run_id,
                )
            )
            if report is None:
                report = ReconciliationReportRow(
                    id=_new_id("recon"), workflow_id=run.workflow_id, run_id=run.run_id
                )
                session.add(report)
            summary = run.report.summary
            report.tenant_id = tenant_id
            report.connection_id = run.connection_id
            report.reconciled_at = summary.reconciled_at
            report.settled_through = summary.settled_through
            for status in MatchStatus:
                setattr(report, status.value, getattr(summary, status.value))
            report.csv_key = run.artifacts.csv.key
            report.summary_key = run.artifacts.summary_json.key
            contents = ReportContents(
                batches=summary.batches, lines=run.report.lines,
                chargebacks_marked=run.chargebacks_marked,
            )  # fmt: skip
            report.body = self._sealer.seal(contents, _REPORTS, report.id)
            report.synced_at = recorded_at
            session.flush()
            return RecordedReconciliation(report_id=report.id, batch_ids=batch_ids)

    def _record_batch(
        self,
        session: Session,
        tenant_id: str,
        connection_id: str,
        batch: SettlementBatch,
        recorded_at: datetime,
    ) -> SettlementBatchRow:
        source_key = self._sealer.source_key(connection_id, "settlement_batch", batch.identifier)
        row = session.scalar(
            select(SettlementBatchRow).where(
                SettlementBatchRow.connection_id == connection_id,
                SettlementBatchRow.source_key == source_key,
            )
        )
        if row is None:
            row = SettlementBatchRow(
                id=_new_id("stl"), tenant_id=tenant_id, connection_id=connection_id,
                source_key=source_key,
            )  # fmt: skip
            session.add(row)
        row.status = batch.status.value
        row.batch_date = batch.period_end
        row.payment_date = batch.payment_date
        row.net_cents = batch.payment_amount.amount_cents
        row.currency = batch.payment_amount.currency
        row.payments_cents = _total(batch, SettlementDetailType.PAYMENT)
        row.refunds_cents = _total(batch, SettlementDetailType.REFUND)
        row.chargebacks_cents = _total(batch, SettlementDetailType.CHARGEBACK)
        row.transaction_count = len(batch.details)
        row.body = self._sealer.seal(batch, _BATCHES, row.id)
        row.synced_at = recorded_at
        session.flush()
        return row

    # --- reading (the API) ----------------------------------------------------------------

    def _batch(self, row: SettlementBatchRow, *, with_transactions: bool) -> SettlementBatchPublic:
        batch = self._sealer.unseal(row.body, _BATCHES, row.id, SettlementBatch)
        transactions = (
            [
                SettlementTransactionPublic(
                    identifier=d.identifier,
                    type=d.type,
                    amount=d.amount,
                    date=d.date,
                    reference=d.reference,
                    reverses=d.reverses,
                )
                for d in batch.details
            ]
            if with_transactions
            else None
        )
        return SettlementBatchPublic(
            id=row.id, connection_id=row.connection_id, batch_id=batch.identifier,
            status=batch.status, batch_date=row.batch_date, period_start=batch.period_start,
            payment_date=row.payment_date,
            net_amount=Money(amount_cents=row.net_cents, currency=row.currency),
            payments_cents=row.payments_cents, refunds_cents=row.refunds_cents,
            chargebacks_cents=row.chargebacks_cents, transaction_count=row.transaction_count,
            transactions=transactions, synced_at=row.synced_at,
        )  # fmt: skip

    def _report(
        self, row: ReconciliationReportRow, *, with_lines: bool
    ) -> ReconciliationReportPublic:
        contents = self._sealer.unseal(row.body, _REPORTS, row.id, ReportContents)
        counts = ReconciliationCounts(
            **{status.value: getattr(row, status.value) for status in MatchStatus}
        )
        review = [line for line in contents.lines if line.status in NEEDS_REVIEW]
        return ReconciliationReportPublic(
            id=row.id, connection_id=row.connection_id, run_id=row.workflow_id,
            reconciled_at=row.reconciled_at, settled_through=row.settled_through,
            batches=contents.batches, counts=counts,
            clean=not (counts.missing or counts.amount_differs or counts.unexpected
                       or counts.chargeback),
            chargebacks_marked=contents.chargebacks_marked,
            needs_review=review if with_lines else None,
            csv_url=csv_path(row.id), synced_at=row.synced_at,
        )  # fmt: skip

    def list_batches(
        self, tenant_id: str, request: PageRequest, connection_id: str | None = None
    ) -> Page[SettlementBatchPublic]:
        with Session(self._engine) as session:
            query = select(SettlementBatchRow).where(SettlementBatchRow.tenant_id == tenant_id)
            if connection_id is not None:
                query = query.where(SettlementBatchRow.connection_id == connection_id)
            rows, more = page_rows(session, query, SettlementBatchRow, request)
            shown = [self._batch(r, with_transactions=False) for r in rows]
            return Page[SettlementBatchPublic](data=shown, has_more=more)

    def get_batch(self, tenant_id: str, batch_id: str) -> SettlementBatchPublic:
        with Session(self._engine) as session:
            row = session.scalar(
                select(SettlementBatchRow).where(
                    SettlementBatchRow.tenant_id == tenant_id, SettlementBatchRow.id == batch_id
                )
            )
            if row is None:
                raise SettlementRecordNotFound(batch_id)
            return self._batch(row, with_transactions=True)

    def list_reports(
        self, tenant_id: str, request: PageRequest, connection_id: str | None = None
    ) -> Page[ReconciliationReportPublic]:
        with Session(self._engine) as session:
            query = select(ReconciliationReportRow).where(
                ReconciliationReportRow.tenant_id == tenant_id
            )
            if connection_id is not None:
                query = query.where(ReconciliationReportRow.connection_id == connection_id)
            rows, more = page_rows(session, query, ReconciliationReportRow, request)
            shown = [self._report(r, with_lines=False) for r in rows]
            return Page[ReconciliationReportPublic](data=shown, has_more=more)

    def _report_row(
        self, session: Session, tenant_id: str, report_id: str
    ) -> ReconciliationReportRow:
        row = session.scalar(
            select(ReconciliationReportRow).where(
                ReconciliationReportRow.tenant_id == tenant_id,
                ReconciliationReportRow.id == report_id,
            )
        )
        if row is None:
            raise SettlementRecordNotFound(report_id)
        return row

    def get_report(self, tenant_id: str, report_id: str) -> ReconciliationReportPublic:
        with Session(self._engine) as session:
            return self._report(self._report_row(session, tenant_id, report_id), with_lines=True)

    def report_csv_key(self, tenant_id: str, report_id: str) -> str:
        """The artifact key of the report's CSV, for the API to stream it from the store."""
        with Session(self._engine) as session:
            return self._report_row(session, tenant_id, report_id).csv_key

    def report_of_run(self, tenant_id: str, workflow_id: str) -> str | None:
        """The newest report a run (by workflow id) recorded, if any."""
        with Session(self._engine) as session:
            found: str | None = session.scalar(
                select(ReconciliationReportRow.id)
                .where(
                    ReconciliationReportRow.tenant_id == tenant_id,
                    ReconciliationReportRow.workflow_id == workflow_id,
                )
                .order_by(ReconciliationReportRow.seq.desc())
                .limit(1)
            )
            return found
