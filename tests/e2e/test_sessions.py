"""Durable connection sessions and human-in-the-loop MFA, end to end.

The test plays the person: it reads the code the sandbox texted or emailed from the sandbox
outbox (which stands for the phone and the inbox) and answers through the same paths an
operator would.

The core paths run on every portal (``EVERY_PORTAL``), each with its own kind of sent code:
Cedar's and HealthPay24's SMS patient, Patientco's email code at its identity provider. They
are: a code by Update, a wrong code, the MFA timeout, session expiry and re-login (with and
without a code), and the ``login_required`` repair. The rest stay on Cedar because what they
prove lies above the portal (the session workflow's registry, validator, signal, the codec
path, continue-as-new, worker restarts, sealed state at rest) and tripling them would add
minutes for nothing the core paths miss; each says so.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from models.connection_session import MfaCodeSubmission, SessionStatus, session_workflow_id
from models.connections import PortalName
from models.errors import InvalidInput, LoginRequired, MfaRejected, MfaTimedOut
from models.payments import PostPaymentRequest, PostPaymentResult
from models.settings import Settings
from portals.browser import BrowserPool
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, PaymentHandle, SessionsClient
from starters.local.stack import CodecServerProcess, WorkerProcess, temporal_cli
from starters.servers.codec_server import codec_server_token
from stores.connections import ConnectionRegistry
from stores.secrets import open_secret_store
from stores.session_store import SessionStateStore, session_key
from tests.e2e.conftest import EVERY_PORTAL, CodeLogin, Connections, PortalUnderTest
from tests.e2e.helpers import answer_with_latest_code, payment_for, wait_for_status
from tests.replay.recording import record_history
from workers.main import build_worker
from workflows.connection_session import ConnectionSessionWorkflow

pytestmark = pytest.mark.e2e

SMS_USER = "sms.patient"
EMAIL_USER = "email.patient"


def _mfa_payment(
    admin: SandboxAdmin, connection_id: str, cents: int = 100, username: str = SMS_USER
) -> PostPaymentRequest:
    return payment_for(admin, connection_id, username, cents)


def _code_payment(admin: SandboxAdmin, login: CodeLogin, cents: int = 100) -> PostPaymentRequest:
    return payment_for(admin, login.connection_id, login.username, cents)


def _where_the_code_went(admin: SandboxAdmin, login: CodeLogin) -> str:
    """The destination as the portal masks it, read from the phone or inbox it reached."""
    [sent, *_] = admin.outbox(login.username)
    assert sent.channel == login.method, sent
    return sent.masked_destination


@EVERY_PORTAL
async def test_sent_code_mfa_end_to_end_by_update(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    connection_id = code_login.connection_id
    handle = await client.start_payment(_code_payment(sandbox_admin, code_login))

    view = await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    masked = _where_the_code_went(sandbox_admin, code_login)
    assert view.challenge is not None and view.challenge.method == code_login.method
    assert view.challenge.masked_destination == masked
    if code_login.method == "sms":
        assert "0112" in masked  # the seeded phone's last digits (sandbox seeds)
    for _ in range(100):  # visibility is eventually consistent
        if any(v.connection_id == connection_id for v in await sessions.pending_mfa()):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the pending challenge is not listed by its search attribute")
    # What the Temporal UI shows as the workflow's current details (user metadata).
    metadata = await client.temporal.get_workflow_handle(session_workflow_id(connection_id)).query(
        "__temporal_workflow_metadata", result_type=WorkflowMetadata
    )
    assert f"awaiting {code_login.method.upper()} code sent to {masked}" in (
        metadata.current_details
    )

    code = sandbox_admin.latest_code(code_login.username)
    result = await sessions.submit_mfa_code(connection_id, code)
    assert result.accepted

    payment = await handle.result()
    assert [p.confirmation_number for p in sandbox_admin.ledger()] == [
        payment.payment.confirmation_number
    ]
    assert (await sessions.state(connection_id)).status is SessionStatus.ACTIVE
    if portal_under_test.name is PortalName.CEDAR:  # the workflows are the same for all
        await record_history(handle.temporal_handle, "PostPaymentWorkflow--sms-mfa")
        await record_history(
            client.temporal.get_workflow_handle(session_workflow_id(connection_id)),
            "ConnectionSessionWorkflow--sms-mfa",
        )


# Cedar only: the one portal with both an SMS and an email login (Patientco's code is
# email, so the test above runs an email code there).
async def test_email_mfa_end_to_end(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    connections: Connections,
) -> None:
    connection_id = connections.add(EMAIL_USER, totp=False)
    handle = await client.start_payment(
        _mfa_payment(cedar_admin, connection_id, username=EMAIL_USER)
    )

    view = await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    assert view.challenge is not None and view.challenge.method == "email"
    assert view.challenge.masked_destination == "e***@example.com"
    await answer_with_latest_code(sessions, cedar_admin, connection_id, EMAIL_USER)
    payment = await asyncio.wait_for(handle.result(), timeout=120)
    assert [p.confirmation_number for p in cedar_admin.ledger()] == [
        payment.payment.confirmation_number
    ]


@EVERY_PORTAL
async def test_wrong_code_then_right_one(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    connection_id = code_login.connection_id
    handle = await client.start_payment(_code_payment(sandbox_admin, code_login))
    await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    right = sandbox_admin.latest_code(code_login.username)
    wrong = "000000" if right != "000000" else "111111"

    first = await sessions.submit_mfa_code(connection_id, wrong)
    assert not first.accepted and first.attempts_left == 2
    assert sandbox_admin.logins().failed_mfa == 1  # the portal itself refused it
    assert (await sessions.state(connection_id)).status is SessionStatus.AWAITING_MFA
    assert (await sessions.submit_mfa_code(connection_id, right)).accepted
    await handle.result()
    assert len(sandbox_admin.ledger()) == 1


# Cedar only: the limit of three is the session workflow's (every sandbox allows five),
# and a wrong code reaching each portal is test_wrong_code_then_right_one's.
async def test_too_many_wrong_codes_fail_the_login_and_the_payment(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    handle = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)
    # A second payment on the connection waits on the same login and shares its fate.
    other = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    for _ in range(100):
        if (await sessions.state(sms_connection)).waiting_workflows == 2:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the second payment never waited on the login")
    right = cedar_admin.latest_code(SMS_USER)
    wrongs = [c for c in ("000000", "111111", "222222", "333333") if c != right][:3]

    outcomes = [await sessions.submit_mfa_code(sms_connection, code) for code in wrongs]

    assert [o.accepted for o in outcomes] == [False, False, False]
    assert outcomes[-1].attempts_left == 0
    for waiting in (handle, other):
        with pytest.raises(MfaRejected, match="too many wrong MFA codes"):
            await asyncio.wait_for(waiting.result(), timeout=60)
    assert cedar_admin.ledger() == []
    assert len(cedar_admin.outbox(SMS_USER)) == 1  # one login for both payments


@EVERY_PORTAL
async def test_mfa_timeout_fails_cleanly(
    bb_client: BillBridgeClient,
    settings: Settings,
    browser_pool: BrowserPool,
    task_queue: str,
    client: BillBridgeClient,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    quick = settings.model_copy(update={"mfa_timeout_seconds": 3})
    async with build_worker(bb_client.temporal, quick, browser_pool, task_queue=task_queue):
        handle = await client.start_payment(_code_payment(sandbox_admin, code_login))
        with pytest.raises(MfaTimedOut, match=r"within 0\.05 minutes"):
            await asyncio.wait_for(handle.result(), timeout=60)
    assert len(sandbox_admin.outbox(code_login.username)) == 1  # a code was sent, not typed
    assert sandbox_admin.ledger() == []


# Cedar only: continue-as-new is the session workflow's; the portal sees one login.
async def test_session_continues_as_new_and_stays_signed_in(
    bb_client: BillBridgeClient,
    settings: Settings,
    browser_pool: BrowserPool,
    task_queue: str,
    client: BillBridgeClient,
    cedar_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    short = settings.model_copy(update={"session_history_limit": 20})
    payment_request = payment_request.model_copy(update={"amount_cents": 100})
    session = client.temporal.get_workflow_handle(
        session_workflow_id(payment_request.connection_id)
    )
    async with build_worker(bb_client.temporal, short, browser_pool, task_queue=task_queue):
        await _pay(await client.start_payment(payment_request))
        first_run = (await session.describe()).run_id
        for n in range(3):
            key = f"long-{n}-{uuid.uuid4().hex}"
            await _pay(await client.start_payment(payment_request.model_copy(
                update={"idempotency_key": key}
            )))  # fmt: skip

        description = await session.describe()
        assert description.run_id != first_run  # handed on to a fresh run…
        assert description.raw_description.workflow_execution_info.history_length <= 40
        view = await SessionsClient(client.temporal).state(payment_request.connection_id)
        assert view.status is SessionStatus.ACTIVE  # …still signed in
    assert cedar_admin.logins().successful == 1
    assert len(cedar_admin.ledger()) == 4


# Cedar only: the Update's validator refuses before any portal is asked.
async def test_malformed_code_is_refused_by_the_validator(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    handle = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)

    for malformed in ("12ab56", "", "1234567890123"):
        with pytest.raises((InvalidInput, ValueError)):
            await sessions.submit_mfa_code(sms_connection, malformed)

    assert cedar_admin.logins().failed_mfa == 0  # never reached the portal
    view = await sessions.state(sms_connection)
    assert view.status is SessionStatus.AWAITING_MFA
    assert view.challenge is not None and view.challenge.attempts_left == 3
    await sessions.submit_mfa_code(sms_connection, cedar_admin.latest_code(SMS_USER))
    await handle.result()


# Cedar only: another way into the same workflow handler as the Update.
async def test_code_by_signal_outcome_by_query(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    handle = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)
    session: WorkflowHandle[ConnectionSessionWorkflow, None] = (
        client.temporal.get_workflow_handle_for(
            ConnectionSessionWorkflow.run, session_workflow_id(sms_connection)
        )
    )

    await session.signal(
        ConnectionSessionWorkflow.submit_mfa_code_signal,
        MfaCodeSubmission(code=cedar_admin.latest_code(SMS_USER)),
    )

    view = await wait_for_status(sessions, sms_connection, SessionStatus.ACTIVE)
    assert view.last_mfa_result is not None and view.last_mfa_result.accepted
    await handle.result()


# Cedar only: the codec path of an operator's command, the same for every portal.
async def test_code_by_the_plain_temporal_cli(
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    settings: Settings,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
    tmp_path: Path,
) -> None:
    """The README's copy-paste command, run as an operator would: through the codec server,
    since the workflow accepts encrypted payloads only."""
    handle = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)
    code = cedar_admin.latest_code(SMS_USER)

    async def update(*codec: str) -> tuple[int | None, str]:
        cli = await asyncio.create_subprocess_exec(
            temporal_cli(), "workflow", "update", "execute",
            "--address", settings.temporal_address,
            "--workflow-id", session_workflow_id(sms_connection),
            "--name", "submit_mfa_code",
            "--input", json.dumps({"code": code}), *codec,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(cli.communicate(), timeout=60)
        return cli.returncode, output.decode()

    # Without the codec the plain-text code is refused: the workflow task fails, loudly,
    # while the update waits; once the CLI gives up the session is waiting as before.
    # (A `--command-timeout 5s` CLI gave up sooner, but the session was not waiting again
    # 30 s later: the refused update still failed its workflow tasks.)
    status, output = await update()
    assert status != 0, output
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA, seconds=30)

    codec_server = CodecServerProcess(
        tmp_path / "codec.log", {"BILLBRIDGE_HOME": str(settings.home)}, ui_origins=[]
    )
    codec_server.start()
    try:
        token = codec_server_token(open_secret_store(settings))
        status, output = await update(
            "--codec-endpoint", codec_server.base_url, "--codec-auth", f"Bearer {token}"
        )
    finally:
        codec_server.stop()
    assert status == 0, output
    assert "accepted:true" in output
    await handle.result()


# Cedar only: the code always goes in from a restored pre-auth state in a fresh browser
# context, killed worker or not; every portal does that in the Update test above.
async def test_worker_killed_while_awaiting_mfa(
    client: BillBridgeClient,
    worker_process_factory: Callable[[], WorkerProcess],
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    first = worker_process_factory()
    handle = await client.start_payment(_mfa_payment(cedar_admin, sms_connection))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)
    first.kill()
    worker_process_factory()

    await answer_with_latest_code(sessions, cedar_admin, sms_connection, SMS_USER)
    result = await asyncio.wait_for(handle.result(), timeout=120)
    assert [p.confirmation_number for p in cedar_admin.ledger()] == [
        result.payment.confirmation_number
    ]


# Cedar only: twenty payments are the slowest test here; the one login is the session
# workflow's doing, and each portal's payments run in test_post_payment.py.
async def test_twenty_concurrent_payments_sign_in_once(
    client: BillBridgeClient,
    worker: Worker,
    cedar_admin: SandboxAdmin,
    connections: Connections,
) -> None:
    connection_id = connections.add("demo.patient")
    demo = cedar_admin.user("demo.patient")
    requests = [
        PostPaymentRequest(
            connection_id=connection_id,
            statement_id=demo.statements[i % len(demo.statements)].statement_id,
            amount_cents=10,
            payment_method_token=demo.cards[0].token,
            idempotency_key=f"burst-{i}-{uuid.uuid4().hex[:6]}",
        )
        for i in range(20)
    ]

    results = await asyncio.wait_for(
        asyncio.gather(*(client.pay(request) for request in requests)), timeout=300
    )

    assert len({r.payment.confirmation_number for r in results}) == 20
    assert len(cedar_admin.ledger()) == 20
    assert cedar_admin.logins().successful == 1


async def _pay(handle: PaymentHandle) -> PostPaymentResult:
    return await asyncio.wait_for(handle.result(), timeout=120)


async def _sealed_states_settle_at_one(settings: Settings, connection_id: str) -> None:
    """Superseded and pre-auth states are deleted once a login ends; the live one stays."""
    for _ in range(100):
        if len(list((settings.sessions_dir / connection_id).glob("*.bin"))) == 1:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"stale session states were left behind for {connection_id}")


@EVERY_PORTAL
async def test_session_expiry_between_payments_relogs_transparently(
    client: BillBridgeClient,
    worker: Worker,
    settings: Settings,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    await _pay(await client.start_payment(payment_request))
    assert sandbox_admin.expire_sessions() >= 1  # there was a session to end
    second = payment_request.model_copy(update={"idempotency_key": f"again-{uuid.uuid4().hex}"})

    await _pay(await client.start_payment(second))

    assert len(sandbox_admin.ledger()) == 2
    assert sandbox_admin.logins().successful == 2
    await _sealed_states_settle_at_one(settings, payment_request.connection_id)


@EVERY_PORTAL
async def test_session_expiry_with_a_sent_code_raises_a_new_challenge(
    client: BillBridgeClient,
    worker: Worker,
    settings: Settings,
    sessions: SessionsClient,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    connection_id, username = code_login.connection_id, code_login.username
    first = await client.start_payment(_code_payment(sandbox_admin, code_login))
    await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    await sessions.submit_mfa_code(connection_id, sandbox_admin.latest_code(username))
    await _pay(first)
    assert sandbox_admin.expire_sessions() >= 1

    second = await client.start_payment(_code_payment(sandbox_admin, code_login))
    view = await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    assert view.challenge is not None
    assert len(sandbox_admin.outbox(username)) == 2  # a second code for the second login
    await answer_with_latest_code(sessions, sandbox_admin, connection_id, username)
    await _pay(second)
    assert len(sandbox_admin.ledger()) == 2
    await _sealed_states_settle_at_one(settings, connection_id)


@EVERY_PORTAL
async def test_rejected_password_waits_for_repair(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    settings: Settings,
    sandbox_admin: SandboxAdmin,
    connections: Connections,
    payment_request: PostPaymentRequest,
) -> None:
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username, password="changed-elsewhere")
    request = payment_request.model_copy(update={"connection_id": connection_id})
    waiting = await client.start_payment(request)
    await wait_for_status(sessions, connection_id, SessionStatus.LOGIN_REQUIRED)

    hurried = request.model_copy(
        update={"idempotency_key": f"fast-{uuid.uuid4().hex}", "fail_fast": True}
    )
    with pytest.raises(LoginRequired):
        await _pay(await client.start_payment(hurried))
    assert sandbox_admin.logins().failed_password == 1  # no retry into a lockout

    connection = ConnectionRegistry(settings.connections_file).get(connection_id)
    open_secret_store(settings).put(connection.password_ref, sandbox_admin.user(username).password)
    await sessions.credentials_replaced(connection_id)

    await _pay(waiting)
    assert len(sandbox_admin.ledger()) == 1


# Cedar only: the sealing is the session store's, whatever cookies a portal sets.
async def test_session_state_on_disk_is_encrypted(
    client: BillBridgeClient,
    worker: Worker,
    settings: Settings,
    payment_request: PostPaymentRequest,
) -> None:
    await _pay(await client.start_payment(payment_request))
    files = list((settings.sessions_dir / payment_request.connection_id).glob("*.bin"))
    assert files
    store = SessionStateStore(settings.sessions_dir, session_key(open_secret_store(settings)))
    for path in files:
        state = store.load(
            payment_request.connection_id, f"{payment_request.connection_id}/{path.stem}"
        )
        raw = path.read_bytes()
        values = [c["value"] for c in state["cookies"] if len(c["value"]) >= 8]
        assert values
        for value in values:
            assert value.encode() not in raw
        assert b"cookies" not in raw
    wrong_key = SessionStateStore(settings.sessions_dir, bytes(32))
    with pytest.raises(Exception, match="cannot be decrypted"):
        wrong_key.load(
            payment_request.connection_id, f"{payment_request.connection_id}/{files[0].stem}"
        )
