"""`billbridge mfa …` and `billbridge connections repair` as an operator runs them."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.worker import Worker

from models.connection_session import SessionStatus
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, SessionsClient
from tests.e2e.conftest import Connections
from tests.e2e.helpers import payment_for, run_billbridge, wait_for_status

pytestmark = pytest.mark.e2e


async def test_mfa_list_resend_and_submit(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    handle = await client.start_payment(payment_for(cedar_admin, sms_connection, "sms.patient"))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)

    for _ in range(50):  # the list reads visibility, which is eventually consistent
        code, listed = await run_billbridge(settings, task_queue, "mfa", "list")
        if sms_connection in listed:
            break
        await asyncio.sleep(0.2)
    assert code == 0 and sms_connection in listed, listed
    line = next(row for row in listed.splitlines() if sms_connection in row)
    assert "sms" in line and "***-***-0112" in line and "3 attempts left" in line

    submit = ("mfa", "submit", sms_connection)
    code, refused = await run_billbridge(settings, task_queue, *submit, "12")
    assert code == 2 and "4 to 8 digits" in refused, refused

    code, resent = await run_billbridge(settings, task_queue, "mfa", "resend", sms_connection)
    assert code == 0 and "sent to ***-***-0112" in resent, resent
    assert len(cedar_admin.outbox("sms.patient")) == 2

    latest = cedar_admin.latest_code("sms.patient")
    code, accepted = await run_billbridge(settings, task_queue, *submit, latest)
    assert code == 0 and "accepted: signed in" in accepted, accepted
    await asyncio.wait_for(handle.result(), timeout=120)
    assert len(cedar_admin.ledger()) == 1

    code, nothing = await run_billbridge(settings, task_queue, *submit, latest)
    assert code == 2 and "no MFA challenge is pending" in nothing, nothing


async def test_connections_repair_resumes_waiting_payments(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    connections: Connections,
) -> None:
    connection_id = connections.add("demo.patient", password="changed-elsewhere")
    handle = await client.start_payment(payment_for(cedar_admin, connection_id, "demo.patient"))
    await wait_for_status(sessions, connection_id, SessionStatus.LOGIN_REQUIRED)

    password = cedar_admin.user("demo.patient").password
    code, output = await run_billbridge(
        settings, task_queue, "connections", "repair", connection_id,
        env={"BILLBRIDGE_PORTAL_PASSWORD": password},
    )  # fmt: skip

    assert code == 0 and "new password stored" in output, output
    assert password not in output
    await asyncio.wait_for(handle.result(), timeout=120)
    assert (await sessions.state(connection_id)).status is SessionStatus.ACTIVE
    assert cedar_admin.logins().failed_password == 1
