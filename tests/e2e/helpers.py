"""Helpers the end-to-end tests share: the CLI as a user runs it, waiting on a session."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import httpx

from models.connection_session import SessionStatus, SessionView
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import SessionsClient
from tests import session_evidence


async def run_billbridge(
    settings: Settings, task_queue: str, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """``billbridge ARGS…`` in a subprocess with no stdin: exit status and output."""
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "billbridge"),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={
            **os.environ,
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "BILLBRIDGE_HOME": str(settings.home),
            "BILLBRIDGE_TASK_QUEUE": task_queue,
            **(env or {}),
        },
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    session_evidence.remember_output(" ".join(args[:2]), output.decode())  # for the PHI scan
    return process.returncode, output.decode()


async def wait_for_status(
    sessions: SessionsClient, connection_id: str, status: SessionStatus, seconds: float = 60
) -> SessionView:
    view = None
    for _ in range(int(seconds * 10)):
        view = await sessions.state_if_started(connection_id)
        if view is not None and view.status is status:
            return view
        await asyncio.sleep(0.1)
    raise AssertionError(f"session of {connection_id} never reached {status}: {view}")


def payment_for(
    admin: SandboxAdmin,
    connection_id: str,
    username: str,
    cents: int = 100,
    *,
    kind: str = "card",
    outcome: str = "approved",
) -> PostPaymentRequest:
    """A small payment on a statement that can take it, with a method on file of that kind
    (card or ach) on which the processor answers ``outcome``."""
    for statement in admin.user(username).statements:
        if statement.balance_cents < 1000:
            continue
        methods = admin.statement(statement.statement_id).payment_methods
        method = next((m for m in methods if m.kind == kind and m.outcome == outcome), None)
        if method is not None:
            return PostPaymentRequest(
                connection_id=connection_id,
                statement_id=statement.statement_id,
                amount_cents=cents,
                payment_method_token=method.token,
                idempotency_key=f"{username.split('.')[0]}-{uuid.uuid4().hex}",
            )
    raise LookupError(f"{username} has no statement payable with a {outcome} {kind}")


def processor_charges(processor_url: str, token: str) -> list[dict[str, object]]:
    """The charges the sandbox processor received on ``token`` (declined ones included)."""
    response = httpx.get(f"{processor_url}/v1/charges")
    response.raise_for_status()
    body = response.json()
    charges: list[dict[str, object]] = body["charges"] if isinstance(body, dict) else body
    return [charge for charge in charges if charge.get("token") == token]


async def answer_with_latest_code(
    sessions: SessionsClient, admin: SandboxAdmin, connection_id: str, username: str
) -> None:
    """The person: reads the newest code on their phone or inbox and submits it."""
    result = await sessions.submit_mfa_code(connection_id, admin.latest_code(username))
    assert result.accepted, result
