"""A payment whose portal changed waits for an operator, with its evidence, while the
connection's other payments go on; `billbridge payments retry` resumes it, posted once. A
changed sign-in page (the session workflow's activity meets it) holds the payment with the
same evidence as a changed pay form.

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

from models.connection_session import session_workflow_id
from models.connections import PortalName
from models.errors import NotAwaitingOperator
from models.failure_evidence import FailureEvidence
from models.payments import PaymentProgress, PaymentStep
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from sandbox.common.layout import LayoutName, StructuralFault
from starters.client import BillBridgeClient, SessionsClient
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
# One fault per screen (the CAPTCHA is the sign-in screen's too: the canary's e2e meets it;
# the contract tests map every fault to PortalChanged); ~16 s a case.
SIGN_IN_FAULTS = [
    StructuralFault.NO_SIGN_IN_BUTTON,
    StructuralFault.INTERSTITIAL,  # after the code: still the session's sign-in activity
]


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
    zipped = zipfile.ZipFile(io.BytesIO(trace))
    assert "trace.trace" in zipped.namelist()  # the use's actions
    # The page the failure left, as a DOM snapshot the trace viewer shows.
    assert b"frame-snapshot" in zipped.read("failure.trace")
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


def assert_sealed_evidence(
    settings: Settings, store: ArtifactStore, screenshot_key: str, trace_key: str
) -> None:
    """Both artifacts exist, decrypt through the store to a PNG and a trace zip, and are
    sealed on disk."""
    assert store.get(screenshot_key).startswith(b"\x89PNG")
    trace = store.get(trace_key)
    assert "trace.trace" in zipfile.ZipFile(io.BytesIO(trace)).namelist()
    for key in (screenshot_key, trace_key):
        raw = (settings.artifacts_root / key).read_bytes()
        assert not raw.startswith((b"PK", b"\x89PNG"))


@pytest.mark.parametrize("fault", SIGN_IN_FAULTS, ids=[f.value for f in SIGN_IN_FAULTS])
async def test_a_changed_sign_in_page_holds_with_its_evidence_and_a_retry_posts_once(
    settings: Settings,
    client: BillBridgeClient,
    task_queue: str,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
    artifact_store: ArtifactStore,
    fault: StructuralFault,
) -> None:
    admin: SandboxAdmin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username)
    admin.set_layout(LayoutName.V2, fault)
    payment = await client.start_payment(payment_for(admin, connection_id, username, cents=1000))
    started = time.monotonic()

    hold = (await held(payment.temporal_handle)).hold
    took = time.monotonic() - started
    assert took < HOLD_DEADLINE_SECONDS
    assert hold is not None and hold.failed_step == PaymentStep.AWAITING_SESSION.value
    # The session workflow's sign-in activity kept them; its reply brought them here.
    assert hold.screenshot_key and hold.trace_key
    assert hold.screenshot_key.startswith(f"failures/session-{connection_id}/")
    assert_sealed_evidence(settings, artifact_store, hold.screenshot_key, hold.trace_key)
    details = await current_details(client.temporal, payment.workflow_id)
    assert hold.trace_key in details and hold.screenshot_key in details
    code, output = await run_billbridge(settings, task_queue, "payments", "waiting")
    assert code == 0, output
    [line] = [line for line in output.splitlines() if line.startswith(payment.workflow_id)]
    assert f"screenshot={hold.screenshot_key}" in line and f"trace={hold.trace_key}" in line
    session_view = await SessionsClient(client.temporal).state(connection_id)
    assert session_view.last_error_evidence == FailureEvidence(
        screenshot_key=hold.screenshot_key, trace_key=hold.trace_key
    )
    assert admin.ledger() == []

    admin.set_layout(LayoutName.V1)  # the portal (or the adapter) is fixed
    accepted = await client.retry_payment(payment.workflow_id, reason="fixed")
    assert accepted.failed_step == PaymentStep.AWAITING_SESSION.value
    result = await payment.result()
    assert [p.reference for p in admin.ledger()] == [result.payment.reference]
    assert not result.already_posted
    if fault is StructuralFault.NO_SIGN_IN_BUTTON:
        await record_history(
            payment.temporal_handle, "PostPaymentWorkflow--operator-hold-sign-in-retry"
        )
        session = client.temporal.get_workflow_handle(session_workflow_id(connection_id))
        await record_history(session, "ConnectionSessionWorkflow--sign-in-changed")
