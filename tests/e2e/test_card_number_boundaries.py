"""Card numbers are refused at every boundary, against a real Temporal server: the typed
client (nothing is started), the CLI (exit 2, a message about tokenization, no digits), and
the workflows themselves when a caller bypasses both (typed, non-retryable failure). Also:
activity failures leave a real worker redacted."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.worker import Worker

from models.connection_session import MfaCodeSubmission, SessionWorkflowInput
from models.errors import CardNumberRefused
from models.payments import PostPaymentRequest
from models.settings import Settings
from security.redacted_failures import RedactingInterceptor
from starters.client import BillBridgeClient, SessionsClient
from tests.e2e.redaction_probe import HeadingWorkflow, read_heading
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.post_payment import PostPaymentWorkflow

pytestmark = pytest.mark.e2e

PAN_FORMATS = ["4242 4242 4242 4242", "3782-822463-10005", "36227206271667", "4222222222222"]


# A workflow type no worker runs: a marker started only to be indexed, terminated at once.
_MARKER_TYPE = "VisibilityMarker"
_MARKER_PREFIX = "visibility-marker-"


async def _started_on(client: Client, task_queue: str) -> int:
    """How many workflows were started on ``task_queue``, counted once the search index has
    caught up with this moment. The index lags starts by however long a busy machine takes, so
    instead of a fixed sleep this starts a marker now and waits until the index lists it: the
    dev server indexes starts in the order it accepted them, so those before the marker (the
    ones counted) are listed by then."""
    marker = await client.start_workflow(
        _MARKER_TYPE, id=f"{_MARKER_PREFIX}{uuid.uuid4().hex}", task_queue=task_queue
    )
    await marker.terminate("visibility marker")
    query = f'TaskQueue = "{task_queue}"'
    for _ in range(600):
        listed = [execution.id async for execution in client.list_workflows(query)]
        if marker.id in listed:
            return len([found for found in listed if not found.startswith(_MARKER_PREFIX)])
        await asyncio.sleep(0.05)
    raise AssertionError(f"the search index never listed {marker.id}")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@pytest.mark.parametrize("field", ["payment_method_token", "statement_id", "idempotency_key"])
async def test_the_client_refuses_before_any_workflow_starts(
    client: BillBridgeClient, task_queue: str, payment_request: PostPaymentRequest, field: str
) -> None:
    for pan in PAN_FORMATS:
        bad = payment_request.model_copy(update={field: pan})
        with pytest.raises(CardNumberRefused) as caught:
            await client.start_payment(bad)
        assert "tokenization" in caught.value.message
        assert _digits(pan) not in _digits(caught.value.message)
    assert await _started_on(client.temporal, task_queue) == 0

    # The same query does see a start: the zero above is not a blind spot.
    handle = await client.start_payment(payment_request)
    try:
        assert await _started_on(client.temporal, task_queue) == 1
    finally:
        await handle.temporal_handle.terminate("test over")


async def test_the_sessions_client_refuses_before_sending(client: BillBridgeClient) -> None:
    sessions = SessionsClient(client.temporal)
    with pytest.raises(CardNumberRefused):
        await sessions.submit_mfa_code("any-connection", "4242 4242 4242 4242")
    with pytest.raises(CardNumberRefused):
        await sessions.state("4111-1111-1111-1111")


async def _billbridge(settings: Settings, task_queue: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "billbridge"),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "BILLBRIDGE_HOME": str(settings.home),
            "BILLBRIDGE_TASK_QUEUE": task_queue,
            "BILLBRIDGE_PORTAL_PASSWORD": "unused-password",
        },
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize(
    "args",
    [
        [
            "pay",
            "--connection",
            "c1",
            "--statement",
            "ST-1",
            "--amount",
            "10.00",
            "--method",
            "4242 4242 4242 4242",
        ],
        [
            "pay",
            "--connection",
            "c1",
            "--statement",
            "ST-1",
            "--amount",
            "10.00",
            "--method",
            "tok_x",
            "--idempotency-key",
            "3782-822463-10005",
        ],
        [
            "pay",
            "--connection",
            "c1",
            "--statement",
            "ST-1",
            "--amount",
            "36227206271667",
            "--method",
            "tok_x",
        ],
        ["mfa", "submit", "c1", "4222222222222"],
        [
            "connections",
            "add",
            "c9",
            "--portal",
            "cedar",
            "--base-url",
            "http://127.0.0.1:9",
            "--username",
            "4111-1111-1111-1111",
        ],
    ],
    ids=["pay-method", "pay-key", "pay-amount", "mfa-code", "connection-username"],
)
async def test_the_cli_exits_2_pointing_to_tokenization_without_the_digits(
    settings: Settings, task_queue: str, client: BillBridgeClient, args: list[str]
) -> None:
    pan = next(_digits(a) for a in args if len(_digits(a)) >= 13)
    code, out, err = await _billbridge(settings, task_queue, *args)

    assert code == 2, (out, err)
    assert "error: CardNumberRefused: " in err and "tokenization" in err
    assert pan not in _digits(out + err)
    assert "Traceback" not in err
    assert await _started_on(client.temporal, task_queue) == 0
    saved = settings.connections_file
    assert not saved.exists() or '"c9"' not in saved.read_text()


async def test_a_payment_workflow_started_with_a_card_number_fails_typed(
    client: BillBridgeClient, worker: Worker, task_queue: str, payment_request: PostPaymentRequest
) -> None:
    """A caller that bypasses the typed client (raw Temporal client) still gets a typed,
    non-retryable failure. The input payload itself is encrypted by the codec."""
    bad = payment_request.model_copy(update={"statement_id": "4242-4242-4242-4242"})
    with pytest.raises(WorkflowFailureError) as caught:
        await client.temporal.execute_workflow(
            PostPaymentWorkflow.run,
            bad,
            id=f"raw-{uuid.uuid4().hex}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        )
    cause = caught.value.cause
    assert cause.type == "CardNumberRefused"  # type: ignore[attr-defined]
    assert cause.non_retryable  # type: ignore[attr-defined]
    assert "4242" not in cause.message


async def test_a_session_workflow_refuses_a_card_number_in_its_input_and_updates(
    client: BillBridgeClient, worker: Worker, task_queue: str
) -> None:
    with pytest.raises(WorkflowFailureError) as caught:
        await client.temporal.execute_workflow(
            ConnectionSessionWorkflow.run,
            SessionWorkflowInput(connection_id="5555 5555 5555 4444"),
            id=f"session-raw-{uuid.uuid4().hex}",
            task_queue=task_queue,
            execution_timeout=timedelta(seconds=60),
        )
    assert caught.value.cause.type == "CardNumberRefused"  # type: ignore[attr-defined]

    # A running session: an Update carrying a card number is rejected by its validator,
    # typed, and never enters the history.
    handle = await client.temporal.start_workflow(
        ConnectionSessionWorkflow.run,
        SessionWorkflowInput(connection_id=f"idle-{uuid.uuid4().hex[:8]}"),
        id=f"session-idle-{uuid.uuid4().hex}",
        task_queue=task_queue,
    )
    try:
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                ConnectionSessionWorkflow.submit_mfa_code,
                MfaCodeSubmission(code="4242 4242 4242 4242"),
            )
        assert refused.value.cause.type == "CardNumberRefused"  # type: ignore[attr-defined]
        # The signal form cannot be rejected: it is ignored and the session keeps running.
        await handle.signal(
            ConnectionSessionWorkflow.submit_mfa_code_signal,
            MfaCodeSubmission(code="4242424242424242"),
        )
        view = await handle.query(ConnectionSessionWorkflow.state)
        assert view.last_mfa_result is not None and not view.last_mfa_result.accepted
        assert "4242" not in view.last_mfa_result.message
    finally:
        await handle.terminate("test over")


# --- activity failures leave a worker redacted ----------------------------------------------


async def test_activity_failures_leave_the_worker_redacted(
    client: BillBridgeClient, worker: Worker
) -> None:
    assert any(isinstance(i, RedactingInterceptor) for i in worker.config()["interceptors"])

    queue = f"guard-{uuid.uuid4().hex[:8]}"
    async with Worker(
        client.temporal,
        task_queue=queue,
        workflows=[HeadingWorkflow],
        activities=[read_heading],
        interceptors=[RedactingInterceptor()],
    ):
        with pytest.raises(WorkflowFailureError) as caught:
            await client.temporal.execute_workflow(
                HeadingWorkflow.run, "Zelda Quartermaine", id=f"guard-{queue}", task_queue=queue
            )
    failure = caught.value.cause.cause  # type: ignore[union-attr]
    assert failure.type == "PortalChanged"  # type: ignore[union-attr]
    assert failure.message == "account: the heading reads 'Account of [name]'"  # type: ignore[union-attr]
