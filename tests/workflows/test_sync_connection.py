"""SyncConnectionWorkflow's logic on the time-skipping server, the browser faked and the
read model real (SQLite): a first sync records everything and announces new statements,
a second keeps ids and opens only changed rows, an unattended sync does not wait for a
person past its bound, and needing new credentials fails it at once."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.session_broker import SessionBroker
from activities.sync_recording import ReadModelWriters, SyncRecordingActivities
from models.connection_sync import SyncConnectionRequest, SyncResult, SyncStep, sync_workflow_id
from models.connections import PortalName
from models.errors import LoginFailed, LoginRequired
from models.events import EventType
from models.pages import PageRequest
from models.sessions import MfaMethod
from models.settings import Settings
from models.synced import SyncedFilter
from stores.read_model.database import open_engine
from stores.read_model.migrate import upgrade
from stores.read_model.sealed_rows import RowSealer
from stores.read_model.synced_reads import SyncedReads
from stores.read_model.tenant_connections import TenantConnections
from tests.workflows.fake_portal import FakePortal
from tests.workflows.fake_sync import FakeSyncPortal, summary
from tests.workflows.harness import Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.sync_connection import SyncConnectionWorkflow

SyncHandle = WorkflowHandle[SyncConnectionWorkflow, SyncResult]


class SyncHarness:
    def __init__(self, harness: Harness, portal: FakeSyncPortal, writers: ReadModelWriters):
        self.harness, self.portal, self.writers = harness, portal, writers
        self.reads = SyncedReads(writers.engine, writers.objects)

    async def start(self, wait_seconds: int = 300) -> SyncHandle:
        handle = await self.harness.client.start_workflow(
            SyncConnectionWorkflow.run,
            SyncConnectionRequest(
                connection_id=self.harness.connection_id, session_wait_seconds=wait_seconds
            ),
            id=sync_workflow_id(self.harness.connection_id),
            task_queue=self.harness.task_queue,
        )
        self.harness._started.append(handle.id)
        return handle

    def statement_ids(self) -> list[str]:
        page = self.reads.list_statements("acme", SyncedFilter(), PageRequest())
        return [s.id for s in page.data]


@pytest.fixture
def env(module_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return module_env  # the bounded session wait skips minutes: a server of its own


@pytest_asyncio.fixture
async def sync(env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[SyncHarness]:
    login, fake = FakePortal(), FakeSyncPortal()
    harness = Harness(
        env=env,
        task_queue=f"sync-tests-{uuid.uuid4()}",
        connection_id=f"conn_{uuid.uuid4().hex[:12]}",
        portal=login,
        mfa_timeout_seconds=600,
    )
    writers = ReadModelWriters(
        open_engine=lambda: open_engine(f"sqlite:///{tmp_path / 'read_model.db'}"),
        open_sealer=lambda: RowSealer(os.urandom(32)),
    )
    upgrade(writers.engine)
    TenantConnections(writers.engine).add(
        "acme", harness.connection_id, PortalName.HEALTHPAY24, "https://hp24.example"
    )
    broker = SessionBroker(env.client, Settings())
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=harness.task_queue,
            workflows=[SyncConnectionWorkflow, ConnectionSessionWorkflow],
            activities=[
                *login.activities(), broker.obtain_session, *fake.activities(),
                *_recording(writers),
            ],
        ):  # fmt: skip
            try:
                yield SyncHarness(harness, fake, writers)
            finally:
                await harness.terminate_all()
                writers.engine.dispose()


def _recording(writers: ReadModelWriters) -> list[object]:
    recording = SyncRecordingActivities(writers)
    return [
        recording.record_accounts, recording.touch_unchanged_statements,
        recording.record_statements, recording.record_statement_pdf,
        recording.record_estimates, recording.finish_sync,
    ]  # fmt: skip


def _failure_type(err: WorkflowFailureError) -> str | None:
    assert isinstance(err.cause, ApplicationError), err.cause
    return err.cause.type


async def test_a_first_sync_records_all_then_a_second_opens_only_changed_rows(
    sync: SyncHarness,
) -> None:
    first = await (await sync.start()).result()
    assert first.progress.step is SyncStep.SYNCED
    assert sorted(sync.portal.read) == ["ST-1", "ST-2"]
    assert sync.portal.calls["keep_statement_pdf"] == 1  # ST-2's row says it has none
    ids = sync.statement_ids()
    assert sorted(first.created_statement_ids) == sorted(ids) and len(ids) == 2
    created = [e for e in sync.portal.events if e.type is EventType.STATEMENT_CREATED]
    assert sorted(str(e.data["statement_id"]) for e in created) == sorted(ids)
    assert all(e.connection_id == sync.harness.connection_id for e in created)
    connections = TenantConnections(sync.writers.engine)
    assert connections.get("acme", sync.harness.connection_id).synced_at == first.synced_at
    [estimate] = sync.reads.list_estimates("acme", SyncedFilter(), PageRequest()).data
    assert estimate.account_id is not None

    sync.portal.read.clear()
    sync.portal.statements = [
        summary("ST-1", 5_000),
        summary("ST-2", 0, pdf=False),
        summary("ST-3", 700),
    ]
    second = await (await sync.start()).result()
    assert sorted(sync.portal.read) == ["ST-1", "ST-3"]  # ST-2's row did not change
    assert second.progress.statements_unchanged == 1
    assert sync.statement_ids()[:2] == ids and len(second.created_statement_ids) == 1
    assert len([e for e in sync.portal.events if e.type is EventType.STATEMENT_CREATED]) == 3
    shown = sync.reads.get_statement("acme", ids[1])
    assert shown.synced_at == second.synced_at  # marked seen without being opened
    assert sync.reads.get_statement("acme", ids[0]).statement.balance.amount_cents == 5_000


async def test_an_unattended_sync_waits_for_an_mfa_code_only_up_to_its_bound(
    sync: SyncHarness,
) -> None:
    sync.harness.portal.mfa = MfaMethod.SMS
    handle = await sync.start(wait_seconds=120)
    await sync.harness.session_state(lambda view: view.challenge is not None)
    await sync.harness.waiting_on_timers(handle)
    await sync.harness.env.sleep(timedelta(seconds=121))
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert _failure_type(failed.value) == LoginFailed.__name__
    progress = await handle.query(SyncConnectionWorkflow.progress)
    assert progress.step is SyncStep.FAILED and "120 s" in progress.detail
    assert sync.portal.calls["read_accounts"] == 0 and sync.statement_ids() == []


async def test_a_login_that_needs_new_credentials_fails_the_sync_at_once(
    sync: SyncHarness,
) -> None:
    sync.harness.portal.refused_passwords = 1
    with pytest.raises(WorkflowFailureError) as failed:
        await (await sync.start()).result()
    assert _failure_type(failed.value) == LoginRequired.__name__
    assert sync.portal.calls["read_accounts"] == 0
