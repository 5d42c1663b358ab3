"""``billbridge demo``: the whole stack on one machine and one payment posted end to end."""

from __future__ import annotations

import asyncio
import signal
import uuid
from contextlib import ExitStack
from pathlib import Path

from models.connection_session import SessionStatus
from models.connections import PortalName
from models.errors import InvalidInput
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin, SandboxCard, SandboxStatement, SandboxUser
from sandbox.portals import SANDBOX_PORTALS, SandboxStack
from starters.cli.console import say, show_payment, show_progress
from starters.client import BillBridgeClient, SessionsClient
from starters.client.actors import operator_actor
from starters.local.demo_api import (
    DEMO_TENANT,
    DemoTenant,
    api_calls,
    open_demo_tenant,
    revoke_demo_key,
)
from starters.local.stack import (
    ApiServerProcess,
    CodecServerProcess,
    TemporalDevServer,
    WorkerProcess,
    free_port,
)
from starters.servers.codec_server import codec_server_token, ui_endpoint
from stores.connections import save_connection
from stores.secrets import open_secret_store

DEMO_AMOUNT_CENTS = 2500


def _save_demo_connection(
    settings: Settings, portal: PortalName, base_url: str, user: SandboxUser, mfa: str
) -> str:
    connection = save_connection(
        settings,
        connection_id=f"demo-{portal.value}-{mfa}",
        portal=portal,
        base_url=base_url,
        username=user.username,
        password=user.password,
        # Without a stored TOTP secret the login waits for a person to type the code.
        totp_secret=user.totp_secret if mfa == "totp" else None,
    )
    return connection.id


def demo_username(portal: PortalName, mfa: str) -> str:
    logins = SANDBOX_PORTALS[portal].logins_by_mfa
    if mfa not in logins:
        raise InvalidInput(
            f"the {portal.value} sandbox has no login with {mfa} codes; "
            f"choose --mfa {' or '.join(sorted(logins))}"
        )
    return logins[mfa]


def _payable(admin: SandboxAdmin, user: SandboxUser) -> tuple[SandboxStatement, SandboxCard]:
    """A statement with a balance and an approving card on file that may pay it."""
    for summary in user.statements:
        if summary.balance_cents <= 0:
            continue
        methods = admin.statement(summary.statement_id).payment_methods
        card = next((m for m in methods if m.kind == "card" and m.outcome == "approved"), None)
        if card is not None:
            return summary, card
    raise RuntimeError(f"the sandbox seed gives {user.username} nothing to pay")


async def run_demo(settings: Settings, *, once: bool, portal: PortalName, mfa: str = "totp") -> int:
    username = demo_username(portal, mfa)
    data = settings.data_dir.resolve()
    data.mkdir(parents=True, exist_ok=True)
    secrets = open_secret_store(settings)
    with ExitStack() as stack:
        say("BillBridge demo")
        if settings.temporal_address_given:
            address, ui_url = settings.temporal_address, settings.ui_url
            say(f"[1/6] Temporal: using {address} (TEMPORAL_ADDRESS)")
        else:
            say(f"[1/6] Temporal dev server: starting (SQLite in {data / 'temporal.db'})…")
            codec = _start_codec_server(settings, data, stack, ui_port := free_port(8233))
            server = TemporalDevServer(
                data / "temporal.log",
                db_file=data / "temporal.db",
                port=7233,
                ui_port=ui_port,
                codec_endpoint=ui_endpoint(codec.base_url, codec_server_token(secrets)),
            )
            server.start()
            stack.callback(server.stop)
            address, ui_url = server.address, server.ui_url
            say(f"      ready at {address}, Web UI {ui_url}")
            say(f"      payloads are encrypted; the UI reads them through {codec.base_url}")
        settings = settings.model_copy(update={"temporal_address": address})
        # Dialed now, before sandboxes and a worker start: a server that is not there is
        # the first thing said, not the last.
        client = await BillBridgeClient.connect(settings)

        say(f"[2/6] card processor and {portal.value} sandbox portal: fresh seed data…")
        sandboxes = SandboxStack(portal, data, fresh=True).start()
        stack.callback(sandboxes.stop)
        sandbox = sandboxes.portal
        say(f"      {sandbox.base_url} (magic users and faults: {sandbox.base_url}/__sandbox__/)")
        say(f"      processor {sandboxes.processor.base_url} (test cards: …/__sandbox__/)")

        with SandboxAdmin(sandbox.base_url) as admin:
            user = admin.user(username)
            statement, card = _payable(admin, user)
        connection_id = _save_demo_connection(settings, portal, sandbox.base_url, user, mfa)
        say(f"[3/6] connection {connection_id}: secrets stored by reference in {settings.home}")

        say("[4/6] worker: starting (one Chromium, fresh context per activity)…")
        worker = WorkerProcess(
            data / "worker.log",
            {
                "TEMPORAL_ADDRESS": address,
                "BILLBRIDGE_HOME": str(settings.home),
                "BILLBRIDGE_TASK_QUEUE": settings.task_queue,
            },
        )
        worker.start()
        stack.callback(worker.stop)
        say(f"      ready (pid {worker.pid}, log {data / 'worker.log'})")

        api, tenant = _start_api(settings, stack, data, connection_id, portal, sandbox.base_url)

        request = PostPaymentRequest(
            connection_id=connection_id,
            statement_id=statement.statement_id,
            amount_cents=min(DEMO_AMOUNT_CENTS, statement.balance_cents),
            payment_method_token=card.token,
            idempotency_key=f"demo-{uuid.uuid4().hex[:12]}",
        )
        say(
            f"[6/6] posting {request.amount} on statement {request.statement_id} "
            f"with the {card.brand} ending in {card.last4} on file…"
        )
        handle = await client.start_payment(request)
        link = (
            f"{ui_url}/namespaces/{settings.temporal_namespace}/workflows/{handle.workflow_id}"
            if ui_url
            else None
        )
        if mfa != "totp":
            sessions = SessionsClient(client.temporal, operator_actor(settings.operator))
            await _answer_challenge(sessions, connection_id, sandbox.base_url)
        result = await handle.result(show_progress)
        say()
        show_payment(result, link)
        say(f"HTTP API            : {api.base_url} (docs {api.base_url}/docs)")
        answered = await asyncio.to_thread(api_calls, api.base_url, tenant.key, connection_id)
        for call, status, said in answered:
            say(f"  {call} -> {status}: {said}")
        if not all(status == 200 for _, status, _ in answered):
            say(f"the API did not answer as it should; its log is {data / 'api.log'}")
            return 1
        if not once:
            say(
                "\nThe stack stays up so you can explore the Temporal UI and the API "
                "(the key above works until the demo stops). Ctrl-C to stop."
            )
            await _wait_for_interrupt()
        say("stopping the API, worker, sandbox and Temporal…")
    return 0


def _start_api(
    settings: Settings,
    stack: ExitStack,
    data: Path,
    connection_id: str,
    portal: PortalName,
    portal_url: str,
) -> tuple[ApiServerProcess, DemoTenant]:
    say("[5/6] HTTP API: starting (billbridge api, the read model in the demo's home)…")
    tenant = open_demo_tenant(settings, connection_id, portal, portal_url)
    stack.callback(revoke_demo_key, settings, tenant.key_id)
    env = {
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "BILLBRIDGE_HOME": str(settings.home),
        "BILLBRIDGE_TASK_QUEUE": settings.task_queue,
        # A loaded machine's worker may take more than the default 2 s to answer a query.
        "BILLBRIDGE_API_HEALTH_TIMEOUT_SECONDS": "10",
    }
    if settings.database_url is not None:
        env["BILLBRIDGE_DATABASE_URL"] = settings.database_url.get_secret_value()
    api = ApiServerProcess(data / "api.log", env, port=settings.api_port)
    api.start()
    stack.callback(api.stop)
    say(f"      ready at {api.base_url}, docs {api.base_url}/docs (pid {api.pid})")
    say(f"      API key for tenant {DEMO_TENANT} (admin; revoked when the demo stops):")
    say(f"      {tenant.key}")
    say(f"      its connection: {api.base_url}/connections/{connection_id}")
    return api, tenant


def _start_codec_server(
    settings: Settings, data: Path, stack: ExitStack, ui_port: int
) -> CodecServerProcess:
    """The codec server the UI is pointed at, admitting only that UI's origins."""
    codec = CodecServerProcess(
        data / "codec-server.log",
        {"BILLBRIDGE_HOME": str(settings.home)},
        ui_origins=[f"http://localhost:{ui_port}", f"http://127.0.0.1:{ui_port}"],
        port=8081,
    )
    codec.start()
    stack.callback(codec.stop)
    return codec


async def _wait_for_interrupt() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _answer_challenge(sessions: SessionsClient, connection_id: str, portal: str) -> None:
    """Play the person: wait for the challenge, then ask for the code on the terminal."""
    while True:
        view = await sessions.state_if_started(connection_id)
        if view is not None and view.status is SessionStatus.ACTIVE:
            return
        if view is not None and view.status is SessionStatus.AWAITING_MFA and view.challenge:
            where = f"{view.challenge.method} to {view.challenge.masked_destination}"
            say(f"  → the portal sent a code by {where}")
            say(f"    (the sandbox outbox stands for phone and inbox: {portal}/__sandbox__/outbox)")
            code = await asyncio.to_thread(input, "    code: ")
            result = await sessions.submit_mfa_code(connection_id, code.strip())
            say(f"  → {result.message}")
            if result.accepted or result.attempts_left == 0:
                return
            continue
        await asyncio.sleep(0.3)
