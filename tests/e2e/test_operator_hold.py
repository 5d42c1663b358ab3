"""A payment whose portal changed waits for an operator, with its evidence, while the
connection's other payments go on; `billbridge payments retry` resumes it, posted once.

Real Temporal dev server, worker, Chromium and sandbox. Cedar only: the hold is the
workflow's, the same on every portal (each vendor's PortalChanged is in tests/contract/).
"""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from models.connections import PortalName
from models.errors import NotAwaitingOperator
from models.payments import PaymentProgress, PaymentStep
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient
from stores.artifacts import ArtifactStore
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import payment_for, run_billbridge
from tests.e2e.test_maintenance_windows import current_details
from tests.replay.recording import record_history
from workflows.post_payment import PostPaymentWorkflow

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("portal_under_test", [PortalName.CEDAR], indirect=True),
]

HOLD_DEADLINE_SECONDS = 30


async def held(handle: WorkflowHandle[Any, Any]) -> PaymentProgress:
    deadline = time.monotonic() + HOLD_DEADLINE_SECONDS
    progress: PaymentProgress | None = None
    while time.monotonic() < deadline:
        progress = await handle.query(PostPaymentWorkflow.progress)
        if progress.step is PaymentStep.AWAITING_OPERATOR:
            return progress
        assert progress.step is not PaymentStep.FAILED, progress
        await asyncio.sleep(0.2)
    raise AssertionError(f"not held for an operator within {HOLD_DEADLINE_SECONDS}s: {progress}")


async def test_a_changed_pay_form_waits_for_an_operator_and_a_retry_posts_once(
    settings: Settings,
    client: BillBridgeClient,
    task_queue: str,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
    artifact_store: ArtifactStore,
) -> None:
    admin: SandboxAdmin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username)
    admin.set_layout("v2", "no_pay_button")
    first = await client.start_payment(payment_for(admin, connection_id, username, cents=1000))
    started = time.monotonic()

    hold = (await held(first.temporal_handle)).hold
    assert time.monotonic() - started < HOLD_DEADLINE_SECONDS
    assert hold is not None and hold.failed_step == PaymentStep.PAYING.value
    assert hold.screenshot_key and hold.trace_key
    trace = artifact_store.get(hold.trace_key)
    assert "trace.trace" in zipfile.ZipFile(io.BytesIO(trace)).namelist()
    assert artifact_store.get(hold.screenshot_key).startswith(b"\x89PNG")
    for key in (hold.trace_key, hold.screenshot_key):  # sealed at rest
        raw = (settings.artifacts_root / key).read_bytes()
        assert not raw.startswith((b"PK", b"\x89PNG"))
    details = await current_details(client.temporal, first.workflow_id)
    assert hold.trace_key in details and hold.screenshot_key in details
    assert f"billbridge payments retry {first.workflow_id}" in details
    assert admin.ledger() == []

    # The portal is fixed; the connection's next payment does not wait behind the held one.
    admin.set_layout("v1")
    second = await (
        await client.start_payment(payment_for(admin, connection_id, username, cents=500))
    ).result()
    assert [p.reference for p in admin.ledger()] == [second.payment.reference]
    [listed] = [p for p in await client.held_payments() if p.workflow_id == first.workflow_id]
    assert listed.hold.connection_id == connection_id

    code, output = await run_billbridge(
        settings,
        task_queue,
        "payments",
        "retry",
        first.workflow_id,
        "--reason",
        "fixed",
    )
    assert code == 0, output
    result = await first.result()
    assert [p.reference for p in admin.ledger(result.payment.reference)] == [
        result.payment.reference
    ]
    assert len(admin.ledger()) == 2 and not result.already_posted
    with pytest.raises(NotAwaitingOperator):  # over: nothing to decide any more
        await client.retry_payment(first.workflow_id)
    await record_history(first.temporal_handle, "PostPaymentWorkflow--operator-hold-retry")
