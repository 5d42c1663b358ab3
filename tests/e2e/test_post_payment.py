"""PostPaymentWorkflow through a real Temporal server, worker, Chromium and each sandbox portal.

Every test runs against Cedar, Patientco and HealthPay24: the workflow is the same, only the
connection's portal differs.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from temporalio.client import WorkflowFailureError
from temporalio.worker import Worker

from models.connection_session import session_workflow_id
from models.connections import PortalName
from models.errors import (
    AmountExceedsBalance,
    CardNumberRefused,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    LoginRequired,
    PaymentDeclined,
    StatementNotFound,
)
from models.payments import PaymentMethodKind, PaymentStep, PostPaymentRequest, StoredArtifact
from sandbox.admin_client import SandboxAdmin
from sandbox.common.layout import LayoutName
from sandbox.launcher import PortalProcess
from starters.client import BillBridgeClient, payment_workflow_id
from starters.local.stack import WorkerProcess
from stores.artifacts import ArtifactStore
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import (
    decrypted_history_text,
    payment_activity_attempts,
    payment_for,
    processor_charges,
    workflow_exists,
)
from tests.replay.recording import record_history
from workflows.post_payment import PostPaymentWorkflow
from workflows.references import client_reference

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("portal_under_test", list(PortalName), indirect=True),
]


def _receipt_is_stored(store: ArtifactStore, receipt: StoredArtifact) -> bool:
    return hashlib.sha256(store.get(receipt.key)).hexdigest() == receipt.sha256


def _reference(request: PostPaymentRequest) -> str:
    return client_reference(payment_workflow_id(request.idempotency_key))


async def _record(portal: PortalUnderTest, handle: object, name: str) -> None:
    """The replay suite keeps Cedar's histories: the workflow code is the same for all.

    Named after the latest patch, "bookkeeping-in-process": the histories recorded before
    it (three activities; "one-activity-") stay as they were, for the replay of runs
    started before each patch.
    """
    if portal.name is PortalName.CEDAR:
        await record_history(handle, name.replace("--", "--in-process-", 1))  # type: ignore[arg-type]


async def test_happy_path_posts_once_and_keeps_the_receipt(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    artifact_store: ArtifactStore,
) -> None:
    before = sandbox_admin.statement(payment_request.statement_id).balance_cents
    seen: list[PaymentStep] = []

    handle = await client.start_payment(payment_request)
    result = await handle.result(on_progress=lambda p: seen.append(p.step))
    await _record(portal_under_test, handle.temporal_handle, "PostPaymentWorkflow--happy-path")

    ledger = sandbox_admin.ledger(reference=_reference(payment_request))
    assert len(ledger) == 1
    assert ledger[0].amount_cents == 1000
    assert ledger[0].statement_id == payment_request.statement_id
    assert ledger[0].confirmation_number == result.payment.confirmation_number
    assert not result.already_posted
    assert result.balance_after.amount_cents == before - 1000
    assert sandbox_admin.statement(payment_request.statement_id).balance_cents == before - 1000
    pdf = artifact_store.get(result.receipt.key)
    assert hashlib.sha256(pdf).hexdigest() == result.receipt.sha256
    assert pdf[:64] not in Path(result.receipt.location).read_bytes()  # sealed at rest
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert result.payment.confirmation_number in text
    assert PaymentStep.COMPLETED in seen
    assert PaymentStep.PAYING in seen
    # One browser activity: one context, one restored session, one attempt.
    assert await payment_activity_attempts(handle.temporal_handle) == {"pay_statement": 1}
    # Read decrypted: in the stored (encrypted) history the check could never see a value.
    # The session workflow's is the history that signs in, so it is read too.
    demo = sandbox_admin.user(portal_under_test.sandbox.demo_username)
    session = client.temporal.get_workflow_handle(
        session_workflow_id(payment_request.connection_id)
    )
    for workflow in (handle.temporal_handle, session):
        history = await decrypted_history_text(client.temporal, workflow)
        assert payment_request.connection_id in history  # positive control: it is readable
        assert demo.password not in history  # credentials travel by reference only
        assert demo.totp_secret not in history


async def test_crash_after_submit_is_reconciled_not_paid_twice(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    artifact_store: ArtifactStore,
) -> None:
    sandbox_admin.set_faults(crash_after_submit=1)

    handle = await client.start_payment(payment_request)
    result = await handle.result()
    await _record(
        portal_under_test, handle.temporal_handle, "PostPaymentWorkflow--crash-after-submit"
    )

    ledger = sandbox_admin.ledger(reference=_reference(payment_request))
    assert len(ledger) == 1
    assert result.already_posted  # the retry found our reference instead of resubmitting
    assert result.payment.confirmation_number == ledger[0].confirmation_number
    assert _receipt_is_stored(artifact_store, result.receipt)
    # The same single activity retried: its second attempt looked the reference up first.
    assert await payment_activity_attempts(handle.temporal_handle) == {"pay_statement": 2}


async def test_worker_killed_during_payment_activity(
    client: BillBridgeClient,
    worker_process_factory: Callable[[], WorkerProcess],
    sandbox_admin: SandboxAdmin,
    processor: PortalProcess,
    payment_request: PostPaymentRequest,
) -> None:
    """The worker dies after the portal recorded the payment and before the browser saw the
    answer: the sandbox holds that response, so the kill lands in exactly that moment."""
    first = worker_process_factory()
    sandbox_admin.set_faults(hold_after_submit=1)
    handle = await client.start_payment(payment_request)
    reference = _reference(payment_request)
    for _ in range(1200):
        if sandbox_admin.held_responses() == 1 and sandbox_admin.ledger(reference=reference):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the portal never recorded the payment while holding its response")
    first.kill()
    assert sandbox_admin.release_held() == 1  # the browser that waited for it is gone

    worker_process_factory()
    result = await asyncio.wait_for(handle.result(), timeout=120)

    ledger = sandbox_admin.ledger(reference=reference)
    assert len(ledger) == 1
    assert result.already_posted  # the new worker found our reference instead of resubmitting
    assert result.payment.confirmation_number == ledger[0].confirmation_number
    charges = processor_charges(processor.base_url, payment_request.payment_method_token)
    assert [(c["amount_cents"], c["status"]) for c in charges] == [(1000, "succeeded")]


async def test_same_idempotency_key_twice_posts_once(
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    first, second = await asyncio.gather(client.pay(payment_request), client.pay(payment_request))
    again = await client.pay(payment_request)  # after completion too

    assert first == second == again
    assert len(sandbox_admin.ledger()) == 1


async def test_same_key_other_amount_is_a_clear_error(
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    await client.pay(payment_request)
    other = payment_request.model_copy(update={"amount_cents": 1200})

    with pytest.raises(IdempotencyConflict, match="already used for a different payment"):
        await client.start_payment(other)
    assert len(sandbox_admin.ledger()) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount_cents": 0}, InvalidAmount),
        ({"amount_cents": -500}, InvalidAmount),
        ({"payment_method_token": "4242 4242 4242 4242"}, CardNumberRefused),
        ({"payment_method_token": "4111-1111-1111-1111"}, CardNumberRefused),
    ],
)
async def test_bad_input_refused_by_the_client(
    client: BillBridgeClient,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    change: dict[str, object],
    error: type[Exception],
) -> None:
    with pytest.raises(error) as caught:
        await client.start_payment(payment_request.model_copy(update=change))
    assert "4242" not in str(caught.value) and "1111" not in str(caught.value)
    # Refused before the start: no workflow exists (no worker runs here, so an empty ledger
    # would prove nothing; test_a_started_payment_is_seen_by_the_same_check is the control).
    assert not await workflow_exists(
        client.temporal, payment_workflow_id(payment_request.idempotency_key)
    )


async def test_a_started_payment_is_seen_by_the_same_check(
    client: BillBridgeClient, payment_request: PostPaymentRequest
) -> None:
    """Positive control for the refusal test above: with no worker either, a payment the
    client did start is found."""
    handle = await client.start_payment(payment_request)
    try:
        assert await workflow_exists(client.temporal, handle.workflow_id)
    finally:
        await handle.temporal_handle.terminate("positive control only")


async def test_bad_amount_refused_by_the_workflow_itself(
    client: BillBridgeClient,
    worker: Worker,
    task_queue: str,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    """A caller that bypasses the typed client still gets a typed, non-retryable failure."""
    bad = payment_request.model_copy(update={"amount_cents": -1})
    with pytest.raises(WorkflowFailureError) as caught:
        await client.temporal.execute_workflow(
            PostPaymentWorkflow.run, bad, id=f"raw-{bad.idempotency_key}", task_queue=task_queue
        )
    assert caught.value.cause.type == "InvalidAmount"  # type: ignore[attr-defined]
    assert caught.value.cause.non_retryable  # type: ignore[attr-defined]
    assert sandbox_admin.ledger() == []


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"amount_cents": 99_999_999}, AmountExceedsBalance, "exceeds the balance due"),
        ({"statement_id": "ST-000000"}, StatementNotFound, "ST-000000"),
        ({"connection_id": "wrong-password"}, LoginRequired, "needs new credentials"),
    ],
)
async def test_bad_input_fails_typed_without_retries(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    connections: Connections,
    change: dict[str, object],
    error: type[Exception],
    message: str,
) -> None:
    if change.get("connection_id") == "wrong-password":
        wrong = connections.add(
            portal_under_test.sandbox.demo_username, password="not-the-password"
        )
        change = {"connection_id": wrong, "fail_fast": True}
    handle = await client.start_payment(payment_request.model_copy(update=change))
    with pytest.raises(error, match=message):
        await handle.result()
    await _record(
        portal_under_test, handle.temporal_handle, f"PostPaymentWorkflow--{error.__name__}"
    )
    assert sandbox_admin.ledger() == []
    logins = sandbox_admin.logins()
    # One attempt only: a non-retryable failure never hammers the portal.
    assert logins.successful + logins.failed_password == 1


async def test_a_payment_on_the_redesigned_portal_posts_once(
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    artifact_store: ArtifactStore,
) -> None:
    """layout=v2 (other ids and classes, blocks reordered, a cookie banner over the page),
    from the sign-in the reset sandbox asks for to the stored receipt."""
    sandbox_admin.set_layout(LayoutName.V2)

    result = await client.pay(payment_request)

    ledger = sandbox_admin.ledger(reference=_reference(payment_request))
    assert [p.confirmation_number for p in ledger] == [result.payment.confirmation_number]
    assert _receipt_is_stored(artifact_store, result.receipt)


async def test_ach_payment_posts_once(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    connections: Connections,
    artifact_store: ArtifactStore,
) -> None:
    username = portal_under_test.sandbox.demo_username
    request = payment_for(sandbox_admin, connections.add(username), username, 1500, kind="ach")

    result = await client.pay(request)

    ledger = sandbox_admin.ledger(reference=_reference(request))
    assert [(p.amount_cents, p.card_token) for p in ledger] == [
        (1500, request.payment_method_token)
    ]
    assert result.payment.method_kind is PaymentMethodKind.ACH
    assert result.payment.confirmation_number == ledger[0].confirmation_number
    assert _receipt_is_stored(artifact_store, result.receipt)


@pytest.mark.parametrize(
    ("outcome", "error"),
    [("declined", PaymentDeclined), ("insufficient_funds", InsufficientFunds)],
)
async def test_declined_card_fails_typed_once_and_posts_nothing(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    connections: Connections,
    processor: PortalProcess,
    outcome: str,
    error: type[Exception],
) -> None:
    username = portal_under_test.sandbox.demo_username
    request = payment_for(sandbox_admin, connections.add(username), username, outcome=outcome)
    before = sandbox_admin.statement(request.statement_id).balance_cents

    handle = await client.start_payment(request)
    with pytest.raises(error) as caught:
        await handle.result()

    assert type(caught.value) is error
    assert sandbox_admin.ledger() == []
    assert sandbox_admin.statement(request.statement_id).balance_cents == before
    # Non-retryable: the processor saw exactly one attempt, no retry storm.
    charges = processor_charges(processor.base_url, request.payment_method_token)
    assert [charge["status"] for charge in charges] == ["declined"]
    failure = (await handle.temporal_handle.describe()).status
    assert failure is not None and failure.name == "FAILED"
