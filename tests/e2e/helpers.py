"""Helpers the end-to-end tests share: the CLI as a user runs it, waiting on a session,
what a workflow's history says once decrypted."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from models.connection_session import SessionStatus, SessionView
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from security.codec import ENCODING
from starters.client import SessionsClient
from tests import session_evidence

REPO_ROOT = Path(__file__).resolve().parents[2]


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
            # The venv's editable install may point at another checkout (a git worktree
            # sharing it): the CLI runs this one's code.
            "PYTHONPATH": str(REPO_ROOT),
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


async def workflow_exists(client: Client, workflow_id: str) -> bool:
    """Whether the server has a workflow of that id: what a refusal before the start
    must leave behind is none (a ledger cannot show it where no worker runs)."""
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


def _payloads(message: Message) -> list[Payload]:
    """Every Payload anywhere in a history event (inputs, results, headers, user metadata,
    failure details), found by walking the protobuf fields."""
    if isinstance(message, Payload):
        return [message]
    found: list[Payload] = []
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            items = [v for v in value.values() if isinstance(v, Message)]
        else:  # a message, or a repeated field of them
            items = [value] if isinstance(value, Message) else list(value)
        for item in items:
            found += _payloads(item)
    return found


async def decrypted_history_text(client: Client, handle: WorkflowHandle[object, object]) -> str:
    """A history as the codec's holder reads it: the events' JSON (ids, types, search
    attributes: what is never encrypted) and every payload decrypted. A value absent here
    is absent from the history, not merely hidden by the codec."""
    history = await handle.fetch_history()
    codec = client.data_converter.payload_codec
    assert codec is not None, "the client has no codec: the history would read as ciphertext"
    payloads = [payload for event in history.events for payload in _payloads(event)]
    # Search attributes are plain payloads (the server indexes them); the JSON shows those.
    sealed = [p for p in payloads if p.metadata.get("encoding") == ENCODING]
    assert sealed, "no encrypted payload found: the walk missed the history's payloads"
    decoded = await codec.decode(sealed)
    return "\n".join([history.to_json(), *(p.data.decode("utf-8", "replace") for p in decoded)])


BROWSER_PAYMENT_ACTIVITIES = ("pay_statement", "check_statement", "post_payment",
                              "download_receipt")  # fmt: skip


async def payment_activity_attempts(handle: WorkflowHandle[Any, Any]) -> dict[str, int]:
    """A payment's browser activities by name -> attempts started, read from its history."""
    names: dict[int, str] = {}
    attempts: dict[str, int] = {}
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            names[event.event_id] = attributes.activity_type.name
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            name = names[event.activity_task_started_event_attributes.scheduled_event_id]
            if name in BROWSER_PAYMENT_ACTIVITIES:
                attempts[name] = event.activity_task_started_event_attributes.attempt
    return attempts
