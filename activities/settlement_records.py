"""Recording a finished reconciliation in the read model, so the API serves its batches
and report from the database. Idempotent: the report is keyed by the run, batches by the
portal's identifier, so a retry finds and updates the rows it wrote."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import Engine, inspect
from temporalio import activity

from models.settlement_records import RecordedReconciliation, RecordReconciliation
from stores.read_model.sealed_rows import RowSealer, read_model_key
from stores.read_model.settlement_records import SettlementRecords
from stores.read_model.tables import ReconciliationReportRow, SettlementBatchRow
from stores.read_model.tenant_connections import TenantConnections
from stores.secrets import SecretStore

_log = logging.getLogger("billbridge.read_model")
_TABLES = (SettlementBatchRow.__tablename__, ReconciliationReportRow.__tablename__)


class SettlementRecordActivities:
    def __init__(self, engine: Engine, secrets: SecretStore) -> None:
        self._engine = engine
        self._secrets = secrets

    @cached_property
    def _records(self) -> SettlementRecords:
        # The key is made on first need, not when the worker starts.
        return SettlementRecords(self._engine, RowSealer(read_model_key(self._secrets)))

    @activity.defn
    async def record_reconciliation(self, run: RecordReconciliation) -> RecordedReconciliation:
        return await asyncio.to_thread(self._record, run)

    def _record(self, run: RecordReconciliation) -> RecordedReconciliation:
        tables = set(inspect(self._engine).get_table_names())
        if not set(_TABLES) <= tables:
            # No API has ever migrated this database: nobody reads it over HTTP yet.
            _log.warning("read model not migrated: reconciliation %s not recorded", run.run_id)
            return RecordedReconciliation()
        tenant_id = TenantConnections(self._engine).tenant_of(run.connection_id)
        if tenant_id is None:
            return RecordedReconciliation()  # a connection the CLI made belongs to no tenant
        return self._records.record(tenant_id, run, datetime.now(UTC))
