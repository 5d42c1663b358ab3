"""The read-model side of a connection's sync: write what was read, per the connection's
tenant. Every write is an upsert keyed by the portal's identifiers (sealed_rows.py), so a
retried activity writes the same rows again, never new ones.

The engine and the row sealer are opened on first use, not when the worker is built: a
worker that never syncs does not touch the database or make the read model's key.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from temporalio import activity

from models.connection_sync import (
    FinishSync,
    RecordAccounts,
    Recorded,
    RecordedStatement,
    RecordedStatements,
    RecordEstimates,
    RecordStatementPdf,
    RecordStatements,
    TouchUnchanged,
    UnchangedStatements,
)
from models.errors import InvalidInput
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.synced_objects import SyncedObjects
from stores.read_model.tenant_connections import TenantConnections


@dataclass
class ReadModelWriters:
    """What the activities write through, opened once per worker on first need."""

    open_engine: Callable[[], Engine]
    open_sealer: Callable[[], RowSealer]

    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def engine(self) -> Engine:
        # Activities run in threads: two first writes at once must not open two engines.
        with self._lock:
            return self.__dict__.get("engine") or self.open_engine()

    @cached_property
    def sealer(self) -> RowSealer:
        with self._lock:
            return self.__dict__.get("sealer") or self.open_sealer()

    @cached_property
    def objects(self) -> SyncedObjects:
        return SyncedObjects(self.engine, self.sealer)

    @cached_property
    def connections(self) -> TenantConnections:
        return TenantConnections(self.engine)


class SyncRecordingActivities:
    def __init__(self, writers: ReadModelWriters) -> None:
        self._writers = writers

    def _tenant(self, connection_id: str) -> str:
        tenant = self._writers.connections.tenant_of(connection_id)
        if tenant is None:
            raise InvalidInput(
                f"connection {connection_id} is not in the read model: only connections "
                "made through the HTTP API (POST /connections) are synced"
            )
        return tenant

    @activity.defn
    async def record_accounts(self, request: RecordAccounts) -> Recorded:
        def write() -> Recorded:
            tenant = self._tenant(request.connection_id)
            recorded = self._writers.objects.record_accounts(
                tenant, request.connection_id, request.accounts, request.synced_at
            )
            return Recorded(count=len(recorded))

        return await asyncio.to_thread(write)

    @activity.defn
    async def touch_unchanged_statements(self, request: TouchUnchanged) -> UnchangedStatements:
        ids = await asyncio.to_thread(
            self._writers.objects.touch_unchanged_statements,
            request.connection_id,
            request.listed,
            request.synced_at,
            pdfs_offered=request.pdfs_offered,
        )
        return UnchangedStatements(statement_ids=ids)

    @activity.defn
    async def record_statements(self, request: RecordStatements) -> RecordedStatements:
        def write() -> RecordedStatements:
            tenant = self._tenant(request.connection_id)
            recorded = []
            for read in request.statements:
                synced, created = self._writers.objects.sync_statement(
                    tenant, request.connection_id, read.statement, request.synced_at,
                    read.listed_as,
                )  # fmt: skip
                recorded.append(
                    RecordedStatement(
                        id=synced.id,
                        statement_id=read.statement.statement_id,
                        created=created,
                        balance_cents=synced.statement.balance.amount_cents,
                    )
                )
            return RecordedStatements(statements=recorded)

        return await asyncio.to_thread(write)

    @activity.defn
    async def record_statement_pdf(self, request: RecordStatementPdf) -> Recorded:
        def write() -> Recorded:
            tenant = self._tenant(request.connection_id)
            self._writers.objects.keep_statement_pdf(
                tenant, request.statement_id, request.artifact_key
            )
            return Recorded(count=1)

        return await asyncio.to_thread(write)

    @activity.defn
    async def record_estimates(self, request: RecordEstimates) -> Recorded:
        def write() -> Recorded:
            tenant = self._tenant(request.connection_id)
            recorded = self._writers.objects.record_estimates(
                tenant, request.connection_id, request.estimates, request.synced_at
            )
            return Recorded(count=len(recorded))

        return await asyncio.to_thread(write)

    @activity.defn
    async def finish_sync(self, request: FinishSync) -> Recorded:
        await asyncio.to_thread(
            self._writers.connections.mark_synced, request.connection_id, request.synced_at
        )
        return Recorded(count=1)
