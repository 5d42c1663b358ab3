"""`billbridge mfa …` and `billbridge connections repair` as an operator runs them, on every
portal: each sends its own kind of code (sandbox/portals.py)."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.worker import Worker

from models.connection_session import SessionStatus
from models.connections import PortalName
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, SessionsClient
from tests.e2e.conftest import CodeLogin, Connections, PortalUnderTest
from tests.e2e.helpers import payment_for, run_billbridge, wait_for_status

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("portal_under_test", list(PortalName), indirect=True),
]


async def test_mfa_list_resend_and_submit(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    connection_id, username = code_login.connection_id, code_login.username
    handle = await client.start_payment(payment_for(sandbox_admin, connection_id, username))
    await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    # Where the code went, as the portal masks it (Cedar: ***-***-0112).
    masked = sandbox_admin.outbox(username)[0].masked_destination

    for _ in range(50):  # the list reads visibility, which is eventually consistent
        code, listed = await run_billbridge(settings, task_queue, "mfa", "list")
        if connection_id in listed:
            break
        await asyncio.sleep(0.2)
    assert code == 0 and connection_id in listed, listed
    line = next(row for row in listed.splitlines() if connection_id in row)
    # Outside the connection id, which holds the username ("sms-patient-…") and so the method.
    line = line.replace(connection_id, "", 1)
    assert code_login.method in line and masked in line and "3 attempts left" in line

    submit = ("mfa", "submit", connection_id)
    code, refused = await run_billbridge(settings, task_queue, *submit, "12")
    assert code == 2 and "4 to 8 digits" in refused, refused

    code, resent = await run_billbridge(settings, task_queue, "mfa", "resend", connection_id)
    assert code == 0 and f"sent to {masked}" in resent, resent
    assert len(sandbox_admin.outbox(username)) == 2

    latest = sandbox_admin.latest_code(username)
    code, accepted = await run_billbridge(settings, task_queue, *submit, latest)
    assert code == 0 and "accepted: signed in" in accepted, accepted
    await asyncio.wait_for(handle.result(), timeout=120)
    assert len(sandbox_admin.ledger()) == 1

    code, nothing = await run_billbridge(settings, task_queue, *submit, latest)
    assert code == 2 and "no MFA challenge is pending" in nothing, nothing


async def test_connections_repair_resumes_waiting_payments(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    portal_under_test: PortalUnderTest,
    sandbox_admin: SandboxAdmin,
    connections: Connections,
) -> None:
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username, password="changed-elsewhere")
    handle = await client.start_payment(payment_for(sandbox_admin, connection_id, username))
    await wait_for_status(sessions, connection_id, SessionStatus.LOGIN_REQUIRED)

    password = sandbox_admin.user(username).password
    code, output = await run_billbridge(
        settings, task_queue, "connections", "repair", connection_id,
        env={"BILLBRIDGE_PORTAL_PASSWORD": password},
    )  # fmt: skip

    assert code == 0 and "new password stored" in output, output
    assert password not in output
    await asyncio.wait_for(handle.result(), timeout=120)
    assert (await sessions.state(connection_id)).status is SessionStatus.ACTIVE
    assert sandbox_admin.logins().failed_password == 1
