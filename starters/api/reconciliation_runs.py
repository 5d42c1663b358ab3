"""Reconciliation for the API: the read model's batches and reports, the artifact store
the reports' CSVs are read from, and runs started and followed through the Python client.

A run started over HTTP gets the workflow id ``reconcile-api:<tenant>:<key>``: the key is
a hash of the caller's ``Idempotency-Key`` (the same key returns the same run; with another
connection it is ``idempotency_conflict``), or random when none is sent (no money moves,
so a repeated request only reconciles again). The tenant in the id is what keeps another
tenant's run a 404.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import time

from sqlalchemy import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from models.api_keys import ApiKeyPublic
from models.reconciliation import ReconcileRequest
from models.settings import Settings
from models.settlement_records import ReconciliationRunStatus
from starters.api.services import TemporalLink
from starters.client import BillBridgeClient
from starters.client.reconciliation import RECONCILIATION, create_or_update_schedule
from stores.artifacts import ArtifactStore, open_artifact_store
from stores.read_model.sealed_rows import RowSealer, read_model_key
from stores.read_model.settlement_records import SettlementRecords
from stores.secrets import open_secret_store
from workers.temporal_unreachable import TemporalUnreachable

_RUNNING = {WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW}


class RunNotFound(LookupError):
    """No reconciliation run with that id in that tenant."""


def _letters(digest: str) -> str:
    # Hex as the letters a-p: an id of letters only can never read as a date or a number.
    return digest.translate(str.maketrans("0123456789abcdef", "abcdefghijklmnop"))


def run_key(tenant_id: str, idempotency_key: str | None) -> str:
    secret = idempotency_key if idempotency_key is not None else uuid.uuid4().hex
    return f"api:{tenant_id}:{_letters(hashlib.sha256(secret.encode()).hexdigest()[:32])}"


def owns(tenant_id: str, run_id: str) -> bool:
    return run_id.startswith(RECONCILIATION.workflow_id(f"api:{tenant_id}:"))


@dataclass
class ReconciliationServices:
    settings: Settings
    records: SettlementRecords
    artifacts: ArtifactStore
    temporal: TemporalLink

    @classmethod
    def open(
        cls, settings: Settings, engine: Engine, temporal: TemporalLink
    ) -> ReconciliationServices:
        secrets = open_secret_store(settings)
        records = SettlementRecords(engine, RowSealer(read_model_key(secrets)))
        return cls(settings, records, open_artifact_store(settings, secrets), temporal)

    @asynccontextmanager
    async def _bounded(self) -> AsyncIterator[Client]:
        bound = self.settings.api_health_timeout_seconds
        try:
            async with asyncio.timeout(bound):
                client = await self.temporal.client()
        except TimeoutError:
            raise TemporalUnreachable(self.settings) from None
        yield client

    async def start(
        self, caller: ApiKeyPublic, connection_id: str, idempotency_key: str | None
    ) -> str:
        """The run's workflow id; the same key returns the run it started before."""
        request = ReconcileRequest(
            connection_id=connection_id,
            idempotency_key=run_key(caller.tenant_id, idempotency_key),
            requested_by=caller.actor(),
        )
        async with self._bounded() as client:
            bridge = BillBridgeClient(client, self.settings.task_queue, caller.actor())
            handle = await bridge.start_reconciliation(request)
        return handle.workflow_id

    async def describe(self, tenant_id: str, run_id: str) -> tuple[str, ReconciliationRunStatus]:
        """The run's connection and status; RunNotFound outside the tenant or Temporal."""
        if not owns(tenant_id, run_id):
            raise RunNotFound(run_id)
        async with self._bounded() as client:
            handle = client.get_workflow_handle_for(RECONCILIATION.run, run_id)
            try:
                described = await handle.describe()
                request = await _started_with(client, handle.id)
            except RPCError as err:
                if err.status is RPCStatusCode.NOT_FOUND:
                    raise RunNotFound(run_id) from None
                raise
        if described.status in _RUNNING:
            status = ReconciliationRunStatus.RUNNING
        elif described.status is WorkflowExecutionStatus.COMPLETED:
            status = ReconciliationRunStatus.COMPLETED
        else:
            status = ReconciliationRunStatus.FAILED
        return request.connection_id, status

    async def schedule(
        self, caller: ApiKeyPublic, connection_id: str, at: time
    ) -> tuple[str, bool]:
        async with self._bounded() as client:
            handle, created = await create_or_update_schedule(
                client, connection_id, at, self.settings.task_queue, caller.actor()
            )
        return handle.id, created


async def _started_with(client: Client, workflow_id: str) -> ReconcileRequest:
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [request] = await client.data_converter.decode(payloads, [ReconcileRequest])
            assert isinstance(request, ReconcileRequest)
            return request
    raise RunNotFound(workflow_id)
