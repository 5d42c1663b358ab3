"""A connection made over HTTP, its status read from its real session workflow: a payment
asks for a session, the API shows `mfa_required` with the challenge, a person's code
(read from the sandbox outbox) makes it `active`, and the payment completes."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
from temporalio.worker import Worker

from models.settings import Settings
from starters.client import BillBridgeClient, SessionsClient
from tests.api_server import start_api
from tests.e2e.conftest import PortalUnderTest
from tests.e2e.helpers import payment_for

pytestmark = pytest.mark.e2e

SMS_USER = "sms.patient"


async def _status_becomes(
    http: httpx.AsyncClient, path: str, status: str, seconds: float = 60
) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    shown: dict[str, object] = {}
    while time.monotonic() < deadline:
        response = await http.get(path)
        assert response.status_code == 200, response.text
        shown = response.json()
        if shown["status"] == status:
            return shown
        await asyncio.sleep(0.2)
    raise AssertionError(f"{path} never became {status}: {shown}")


async def test_connection_status_follows_its_session_through_mfa(
    settings: Settings,
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
) -> None:
    admin = portal_under_test.admin
    user = admin.user(SMS_USER)
    api = start_api(settings.home, {"TEMPORAL_ADDRESS": settings.temporal_address})
    try:
        key = api.new_key(f"acme-{uuid.uuid4().hex[:8]}", "ops", "admin")
        async with httpx.AsyncClient(
            base_url=api.url, headers={"Authorization": f"Bearer {key}"}, timeout=15
        ) as http:
            made = await http.post(
                "/connections",
                json={
                    "portal": portal_under_test.name.value,
                    "base_url": portal_under_test.process.base_url,
                    "username": user.username,
                    "password": user.password,
                },
            )
            assert made.status_code == 201, made.text
            connection_id = made.json()["id"]
            path = f"/connections/{connection_id}"
            before = (await http.get(path)).json()
            assert (before["status"], before["session_started"]) == ("signed_out", False)

            # A payment on the connection asks for a session; the login stops at the SMS.
            handle = await client.start_payment(payment_for(admin, connection_id, SMS_USER))
            waiting = await _status_becomes(http, path, "mfa_required")
            challenge = waiting["mfa_challenge"]
            assert isinstance(challenge, dict) and challenge["method"] == "sms"
            [sent, *_] = admin.outbox(SMS_USER)
            assert challenge["masked_destination"] == sent.masked_destination
            assert waiting["session_started"] is True

            code = admin.latest_code(SMS_USER)
            outcome = await SessionsClient(client.temporal).submit_mfa_code(connection_id, code)
            assert outcome.accepted, outcome
            active = await _status_becomes(http, path, "active")
            assert active["mfa_challenge"] is None
            result = await handle.result()
            assert result.payment.confirmation_number
            listed = (await http.get("/connections")).json()
            assert [c["status"] for c in listed["data"]] == ["active"]
    finally:
        api.process.stop()
