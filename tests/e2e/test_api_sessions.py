"""Sessions over HTTP as a caller drives them, against a real worker, Chromium and Cedar's
sandbox: POST /sessions answers mfa_required with the challenge, a wrong code is a typed
problem, the code read from the sandbox outbox makes the connection active; a refused
password is login_required until PUT /connections/{id}/credentials. One API process and
one worker serve the whole module."""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.worker import Worker

from models.connection_session import session_workflow_id
from models.settings import Settings
from portals.browser import BrowserPool
from starters.client import BillBridgeClient
from tests.api_server import ApiProcess, start_api
from tests.e2e.conftest import PortalUnderTest
from tests.e2e.helpers import payment_for
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.replay.recording import record_history
from workers.main import build_worker

pytestmark = pytest.mark.e2e

SMS_USER = "sms.patient"
# Generous for a loaded machine: the API itself waits at most 30 s per request.
LOGIN_WAIT = {"Prefer": "wait=30"}
_TENANTS = f"sess{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def task_queue_for_api() -> str:
    return f"e2e-api-sessions-{uuid.uuid4().hex[:8]}"


@pytest_asyncio.fixture(scope="module")
async def api_worker(
    bb_client: BillBridgeClient,
    settings: Settings,
    browser_pool: BrowserPool,
    task_queue_for_api: str,
) -> AsyncIterator[Worker]:
    worker = build_worker(bb_client.temporal, settings, browser_pool, task_queue=task_queue_for_api)
    async with worker:
        yield worker


@pytest.fixture(scope="module")
def api(settings: Settings, task_queue_for_api: str) -> Iterator[ApiProcess]:
    # The worker's home: the connections the API stores are the ones the worker signs in with.
    process = start_api(
        settings.home,
        {
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "BILLBRIDGE_TASK_QUEUE": task_queue_for_api,
        },
    )
    try:
        yield process
    finally:
        process.process.stop()


@pytest.fixture(scope="module")
def keys(api: ApiProcess) -> dict[str, str]:
    tenant, other = f"{_TENANTS}-a", f"{_TENANTS}-b"
    return {
        "admin": api.new_key(tenant, "ops", "admin"),
        "payer": api.new_key(tenant, "payer", "read", "payments"),
        "reader": api.new_key(tenant, "dashboard", "read"),
        "stranger": api.new_key(other, "ops", "admin"),
    }


def http(api: ApiProcess, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=60
    )


async def new_connection(
    admin: httpx.AsyncClient, portal: PortalUnderTest, username: str, **credentials: str
) -> str:
    user = portal.admin.user(username)
    body = {
        "portal": portal.name.value,
        "base_url": portal.process.base_url,
        "username": user.username,
        "password": user.password,
        **credentials,
    }
    made = await admin.post("/connections", json=body)
    assert made.status_code == 201, made.text
    connection_id: str = made.json()["id"]
    return connection_id


async def settled(client: httpx.AsyncClient, shown: dict[str, Any]) -> dict[str, Any]:
    """The session once its login left signing_in (POST /sessions waits; a loaded machine
    may outlast even that)."""
    deadline = time.monotonic() + 60
    while shown["status"] == "signing_in" and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        response = await client.get(f"/sessions/{shown['id']}")
        assert response.status_code == 200, response.text
        shown = response.json()
    return shown


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    code: str = response.json()["code"]
    return code


async def test_an_sms_login_opened_over_http_is_answered_with_the_texted_code(
    api: ApiProcess,
    keys: dict[str, str],
    api_worker: Worker,
    portal_under_test: PortalUnderTest,
    bb_client: BillBridgeClient,
) -> None:
    admin = portal_under_test.admin
    async with http(api, keys["admin"]) as ops, http(api, keys["payer"]) as payer:
        connection_id = await new_connection(ops, portal_under_test, SMS_USER)

        opened = await payer.post(
            "/sessions", json={"connection_id": connection_id}, headers=LOGIN_WAIT
        )
        assert opened.status_code == 200, opened.text
        assert opened.headers["Preference-Applied"] == "wait=30"
        session = await settled(payer, opened.json())
        assert (session["status"], session["connection_id"]) == ("mfa_required", connection_id)
        challenge = session["mfa_challenge"]
        [sent, *_] = admin.outbox(SMS_USER)
        assert challenge["method"] == "sms"
        assert challenge["masked_destination"] == sent.masked_destination
        assert challenge["attempts_left"] == 3 and challenge["expires_at"]
        mfa = f"/sessions/{session['id']}/mfa"

        code = admin.latest_code(SMS_USER)
        wrong = "".join(str((int(digit) + 1) % 10) for digit in code)
        refused = await payer.post(mfa, json={"code": wrong})
        assert (refused.status_code, problem_code(refused)) == (422, "mfa_rejected"), refused.text
        assert "2 attempts left" in refused.json()["detail"]
        malformed = await payer.post(mfa, json={"code": "12ab"})
        assert (malformed.status_code, problem_code(malformed)) == (422, "invalid_request")
        again = await payer.post("/sessions", json={"connection_id": connection_id})
        assert again.json()["mfa_challenge"]["attempts_left"] == 2  # the same login, still waiting

        accepted = await payer.post(mfa, json={"code": code})
        assert accepted.status_code == 200, accepted.text
        assert (accepted.json()["status"], accepted.json()["mfa_challenge"]) == ("active", None)
        connection = (await payer.get(f"/connections/{connection_id}")).json()
        assert connection["status"] == "active"
        shown = (await payer.get(f"/sessions/{session['id']}")).json()
        assert shown["status"] == "active"
        late = await payer.post(mfa, json={"code": code})  # nothing is pending any more
        assert (late.status_code, problem_code(late)) == (422, "invalid_request")

    await record_history(
        bb_client.temporal.get_workflow_handle(session_workflow_id(connection_id)),
        "ConnectionSessionWorkflow--api-open-sms-mfa",
    )


async def test_a_refused_password_is_login_required_until_new_credentials(
    api: ApiProcess,
    keys: dict[str, str],
    api_worker: Worker,
    portal_under_test: PortalUnderTest,
    bb_client: BillBridgeClient,
) -> None:
    user = portal_under_test.admin.user(portal_under_test.sandbox.demo_username)
    assert user.totp_secret is not None  # signs in without a person once the password is right
    async with http(api, keys["admin"]) as ops:
        connection_id = await new_connection(
            ops,
            portal_under_test,
            user.username,
            password="not-the-password",
            totp_secret=user.totp_secret,
        )

        opened = await ops.post(
            "/sessions", json={"connection_id": connection_id}, headers=LOGIN_WAIT
        )
        session = await settled(ops, opened.json())
        assert session["status"] == "login_required", session
        assert session["last_error_code"] == "invalid_credentials"
        connection = (await ops.get(f"/connections/{connection_id}")).json()
        assert connection["status"] == "login_required"

        replaced = await ops.put(
            f"/connections/{connection_id}/credentials",
            json={"password": user.password},
            headers=LOGIN_WAIT,
        )
        assert replaced.status_code == 200, replaced.text
        assert user.password not in replaced.text
        assert (await settled(ops, {"id": session["id"], **replaced.json()}))["status"] == "active"
        connection = (await ops.get(f"/connections/{connection_id}")).json()
        assert (connection["status"], connection["last_error"]) == ("active", None)

    await record_history(
        bb_client.temporal.get_workflow_handle(session_workflow_id(connection_id)),
        "ConnectionSessionWorkflow--api-login-required",
    )


async def test_scopes_and_tenants(
    api: ApiProcess, keys: dict[str, str], portal_under_test: PortalUnderTest
) -> None:
    async with (
        http(api, keys["admin"]) as ops,
        http(api, keys["reader"]) as reader,
        http(api, keys["stranger"]) as stranger,
    ):
        connection_id = await new_connection(ops, portal_under_test, SMS_USER)
        session_id = "sess_" + connection_id.removeprefix("conn_")
        opening = {"connection_id": connection_id}

        # A read key sees the session but may not sign in to the portal.
        shown = await reader.get(f"/sessions/{session_id}")
        assert (shown.status_code, shown.json()["status"]) == (200, "signed_out")
        for refused in (
            await reader.post("/sessions", json=opening),
            await reader.post(f"/sessions/{session_id}/mfa", json={"code": "123456"}),
            await reader.put(f"/connections/{connection_id}/credentials", json={"password": "x"}),
        ):
            assert (refused.status_code, problem_code(refused)) == (403, "forbidden")

        # Another tenant's connection and session do not exist for its keys.
        for hidden in (
            await stranger.post("/sessions", json=opening),
            await stranger.get(f"/sessions/{session_id}"),
            await stranger.post(f"/sessions/{session_id}/mfa", json={"code": "123456"}),
            await stranger.post(f"/sessions/{session_id}/mfa/resend"),
            await stranger.put(f"/connections/{connection_id}/credentials", json={"password": "x"}),
            await ops.get("/sessions/not-a-session"),
        ):
            assert (hidden.status_code, problem_code(hidden)) == (404, "not_found"), hidden.text


async def test_the_whole_path_over_http_sms_code_payment_webhook_and_receipt(
    api: ApiProcess,
    keys: dict[str, str],
    api_worker: Worker,
    portal_under_test: PortalUnderTest,
) -> None:
    """As an integrator drives it: a connection to the SMS login, POST /sessions answers
    mfa_required, the texted code through POST /sessions/{id}/mfa, POST /payments, the
    payment.posted webhook verified by a local receiver with the client's helper, and the
    receipt downloaded through its link with its SHA-256 checked."""
    admin = portal_under_test.admin
    receiver = WebhookReceiver()
    receiver.start()
    try:
        async with http(api, keys["admin"]) as ops, http(api, keys["payer"]) as payer:
            endpoint = await ops.post(
                "/webhook-endpoints",
                json={"url": receiver.url, "event_types": ["payment.posted"]},
            )
            assert endpoint.status_code == 201, endpoint.text
            receiver.secret = endpoint.json()["secret"]
            connection_id = await new_connection(ops, portal_under_test, SMS_USER)

            opened = await payer.post(
                "/sessions", json={"connection_id": connection_id}, headers=LOGIN_WAIT
            )
            session = await settled(payer, opened.json())
            assert session["status"] == "mfa_required", session
            accepted = await payer.post(
                f"/sessions/{session['id']}/mfa", json={"code": admin.latest_code(SMS_USER)}
            )
            assert accepted.json()["status"] == "active", accepted.text

            wanted = payment_for(admin, connection_id, SMS_USER)
            body = {
                "connection_id": connection_id,
                "statement_id": wanted.statement_id,
                "amount_cents": wanted.amount_cents,
                "payment_method_token": wanted.payment_method_token,
            }
            posted = await payer.post(
                "/payments",
                json=body,
                headers={"Idempotency-Key": wanted.idempotency_key, "Prefer": "wait=60"},
            )
            assert posted.status_code in (200, 202), posted.text
            operation = posted.json()
            deadline = time.monotonic() + 120
            while operation["status"] in ("pending", "running"):
                assert time.monotonic() < deadline, operation
                await asyncio.sleep(0.5)
                operation = (await payer.get(operation["links"]["self"])).json()
            assert operation["status"] == "succeeded", operation

            payment_link = operation["links"]["payment"]
            payment: dict[str, Any] = {}
            while not payment.get("receipt"):
                assert time.monotonic() < deadline, payment
                payment = (await payer.get(payment_link)).json()
                await asyncio.sleep(0.2)
            assert payment["status"] == "paid" and payment["confirmation_number"]

            while not any(r.event.type == "payment.posted" for r in receiver.seen()):
                assert time.monotonic() < deadline, "no payment.posted webhook"
                await asyncio.sleep(0.2)
            assert receiver.refused == []
            [hook] = [r for r in receiver.seen() if r.event.type == "payment.posted"]
            assert hook.webhook_id == hook.event.id
            assert hook.event.connection_id == connection_id

            receipt = payment["receipt"]
            async with httpx.AsyncClient(timeout=60) as anyone:  # the link needs no key
                download = await anyone.get(receipt["url"])
            assert download.status_code == 200
            digest = hashlib.sha256(download.content).hexdigest()
            assert digest == receipt["sha256"]
            assert len(admin.ledger(payment["reference"])) == 1
    finally:
        receiver.stop()
