"""Encrypted histories: what Temporal stores, the codec server, the UI wiring, key rotation."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.worker import Worker

from models.errors import InvalidAmount
from models.payments import PostPaymentRequest
from models.settings import Settings
from portals.browser import BrowserPool
from security.codec import KEY_ID_METADATA, EncryptionCodec, UndecryptablePayload
from starters.client import BillBridgeClient, PaymentHandle
from starters.local.stack import CodecServerProcess, TemporalDevServer, temporal_cli
from starters.servers.codec_server import codec_server_token, ui_endpoint
from stores.artifacts import open_artifact_store
from stores.keyring import rotate_keyring
from stores.secrets import open_secret_store
from tests.e2e import phi_scan
from workers.main import build_worker
from workers.temporal_client import connect
from workflows.post_payment import PostPaymentWorkflow

pytestmark = pytest.mark.e2e


UI_ORIGIN = "http://localhost:8233"


@pytest.fixture
def codec_server(settings: Settings, tmp_path: Path) -> Iterator[CodecServerProcess]:
    server = CodecServerProcess(
        tmp_path / "codec.log", {"BILLBRIDGE_HOME": str(settings.home)}, [UI_ORIGIN]
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _show(settings: Settings, workflow_id: str, *codec: str) -> subprocess.CompletedProcess[str]:
    """``temporal workflow show --output json``, as an operator runs it."""
    command = [temporal_cli(), "workflow", "show", "-w", workflow_id, "--output", "json"]
    command += [*codec, "--address", settings.temporal_address]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _payload_text(shown: str) -> str:
    """Every string of ``workflow show --output json``, payloads' base64 data decoded."""
    shown_json = json.loads(shown) if shown.strip() else {}
    return "\n".join(text for _, text in phi_scan.strings(shown_json))


async def test_history_is_ciphertext_and_the_codec_server_decrypts_only_with_the_token(
    settings: Settings,
    client: BillBridgeClient,
    worker: Worker,
    payment_request: PostPaymentRequest,
    codec_server: CodecServerProcess,
) -> None:
    handle = await client.start_payment(payment_request)
    result = await handle.result()
    token = codec_server_token(open_secret_store(settings))
    # Values a reader of the raw history must not see: the input's, and the UI summary's.
    clear = (
        payment_request.payment_method_token,
        payment_request.statement_id,
        f"post payment on connection {payment_request.connection_id}",
    )

    raw = _show(settings, handle.workflow_id)
    assert raw.returncode == 0, raw.stderr
    assert not any(value in raw.stdout + _payload_text(raw.stdout) for value in clear)
    assert base64.b64encode(b"binary/encrypted").decode() in raw.stdout  # proto JSON: base64

    endpoint = ["--codec-endpoint", codec_server.base_url]
    decoded = _show(settings, handle.workflow_id, *endpoint, "--codec-auth", f"Bearer {token}")
    assert decoded.returncode == 0, decoded.stderr
    assert all(value in _payload_text(decoded.stdout) for value in clear)

    # A wrong token: the exit status is the proof. The command above, the same but for the
    # token, exits 0 and shows the values; this one fails (the codec server's 401 to a wrong
    # token is checked below). Its output is not searched for the values: a failed
    # ``workflow show`` prints one error line to stderr and nothing to stdout, so such a
    # search had nothing to look in and proved nothing.
    refused = _show(settings, handle.workflow_id, *endpoint, "--codec-auth", "Bearer not-it")
    assert refused.returncode != 0

    async with httpx.AsyncClient(base_url=codec_server.base_url) as http:
        empty: dict[str, list[object]] = {"payloads": []}
        assert (await http.post("/decode", json=empty)).status_code == 401
        assert (await http.post(f"/t/{token}/default/decode", json=empty)).status_code == 200
        assert (await http.post("/t/guess/default/decode", json=empty)).status_code == 401
        # A patch id, as Temporal records it in plain JSON: shown as it is (the decoded
        # ``workflow show`` above holds one), while a tampered ciphertext is still refused.
        plain = {"metadata": {"encoding": _b64(b"json/plain")}, "data": _b64(b'"a-patch"')}
        shown = await http.post(f"/t/{token}/default/decode", json={"payloads": [plain]})
        [back] = shown.json()["payloads"]
        assert (back["metadata"], back["data"]) == (plain["metadata"], plain["data"])
        forged = {"metadata": {"encoding": _b64(b"binary/encrypted")}, "data": _b64(b"x" * 40)}
        tampered = await http.post(f"/t/{token}/default/decode", json={"payloads": [forged]})
        assert tampered.status_code == 422
        preflight = {"Access-Control-Request-Method": "POST"}
        allowed = await http.options("/decode", headers={"Origin": UI_ORIGIN, **preflight})
        assert allowed.headers.get("access-control-allow-origin") == UI_ORIGIN
        other = await http.options("/decode", headers={"Origin": "http://evil.test", **preflight})
        assert "access-control-allow-origin" not in other.headers

        # It also serves the receipt's expiring link (a signed link needs no token).
        store = open_artifact_store(settings, open_secret_store(settings))
        link = urlsplit(store.link(result.receipt.key, timedelta(minutes=5)))
        receipt = await http.get(f"{link.path}?{link.query}")
        assert receipt.status_code == 200
        assert hashlib.sha256(receipt.content).hexdigest() == result.receipt.sha256
        assert (await http.get(f"{link.path}?{link.query}x")).status_code == 403


async def test_failure_messages_are_encrypted_too(
    settings: Settings,
    client: BillBridgeClient,
    worker: Worker,
    payment_request: PostPaymentRequest,
) -> None:
    workflow_id = await _refused_payment(client, payment_request)
    handle = PaymentHandle(
        client.temporal.get_workflow_handle_for(PostPaymentWorkflow.run, workflow_id)
    )
    with pytest.raises(InvalidAmount):  # the typed error still reaches the caller, decrypted
        await handle.result()
    raw = _show(settings, workflow_id)
    assert "greater than zero" not in raw.stdout
    assert "Encoded failure" in raw.stdout


async def _refused_payment(client: BillBridgeClient, request: PostPaymentRequest) -> str:
    """A payment the workflow itself refuses (no portal needed), started past the client's
    own checks the way a caller of the raw Temporal API could."""
    workflow_id = f"refused-{uuid.uuid4().hex[:8]}"
    await client.temporal.start_workflow(
        PostPaymentWorkflow.run,
        request.model_copy(update={"amount_cents": 0}),
        id=workflow_id,
        task_queue=client.task_queue,
    )
    return workflow_id


def test_demo_points_the_ui_at_the_codec_server(settings: Settings, tmp_path: Path) -> None:
    """What ``billbridge demo`` starts: a UI whose codec endpoint is our server, by token."""
    token = codec_server_token(open_secret_store(settings))
    endpoint = ui_endpoint("http://127.0.0.1:9", token)
    server = TemporalDevServer(tmp_path / "temporal.log", codec_endpoint=endpoint)
    server.start()
    try:
        for _ in range(100):  # the UI comes up a moment after the frontend port
            try:
                ui = httpx.get(f"{server.ui_url}/api/v1/settings", timeout=2).json()
                break
            except httpx.HTTPError:
                asyncio.run(asyncio.sleep(0.2))
        assert ui["Codec"]["Endpoint"] == endpoint
    finally:
        server.stop()


async def _start_input(client: Client, workflow_id: str) -> list[Payload]:
    """The start event's input exactly as the server stores it (still encrypted)."""
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            return list(event.workflow_execution_started_event_attributes.input.payloads)
    raise AssertionError(f"{workflow_id} has no start event")


async def _payload_key_ids(client: Client, workflow_id: str) -> set[str]:
    return {p.metadata[KEY_ID_METADATA].decode() for p in await _start_input(client, workflow_id)}


async def test_rotation_keeps_old_histories_readable_and_encrypts_new_ones_with_the_new_key(
    settings: Settings, browser_pool: BrowserPool, payment_request: PostPaymentRequest
) -> None:
    home = settings.model_copy(update={"home": settings.home / f"rotation-{uuid.uuid4().hex[:6]}"})
    queue = f"rotation-{uuid.uuid4().hex[:6]}"

    async def refused_payment(temporal: Client) -> str:
        async with build_worker(temporal, home, browser_pool, task_queue=queue):
            workflow_id = await _refused_payment(BillBridgeClient(temporal, queue), payment_request)
            with pytest.raises(WorkflowFailureError):
                await temporal.get_workflow_handle(workflow_id).result()
        return workflow_id

    before = await connect(home)
    old_id = await refused_payment(before)
    old_key = before.data_converter.payload_codec.active_key_id  # type: ignore[union-attr]

    rotated = rotate_keyring(open_secret_store(home))
    after = await connect(home)  # workers and clients pick the new key up when they restart
    new_id = await refused_payment(after)

    assert await _payload_key_ids(after, old_id) == {old_key}
    assert await _payload_key_ids(after, new_id) == {rotated.active}
    # The old history stays readable with the rotated keyring, failure included.
    old_handle = after.get_workflow_handle_for(PostPaymentWorkflow.run, old_id)
    with pytest.raises(WorkflowFailureError) as failure:
        await old_handle.result()
    assert "greater than zero" in str(failure.value.cause)
    # A keyring without the old key fails loudly instead of showing anything.
    only_new = rotated.model_copy(update={"keys": {rotated.active: rotated.keys[rotated.active]}})
    with pytest.raises(UndecryptablePayload):
        await EncryptionCodec(only_new).decode(await _start_input(after, old_id))
