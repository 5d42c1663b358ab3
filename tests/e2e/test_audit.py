"""The audit trail end to end: payments and MFA codes recorded once, by whom, and packed."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.worker import Worker

from models.audit import Actor, ActorKind
from models.connection_session import SessionStatus, session_workflow_id
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from security.audit_log import open_audit_log
from starters.client import BillBridgeClient, SessionsClient
from stores.artifacts import open_artifact_store
from stores.secrets import open_secret_store
from tests.e2e.conftest import EVERY_PORTAL, CodeLogin
from tests.e2e.helpers import payment_for, run_billbridge, wait_for_status
from workflows.maintenance import MAINTENANCE_PATCH
from workflows.operator_hold import OPERATOR_HOLD_PATCH
from workflows.post_payment import BOOKKEEPING_IN_PROCESS, ONE_PAYMENT_ACTIVITY, RECORDS_OUTCOME

pytestmark = pytest.mark.e2e

AUDITOR = Actor(kind=ActorKind.OPERATOR, id="e2e-operator")


def _without_local_activity_data(event: dict[str, Any]) -> dict[str, Any]:
    """The event without a local activity marker's ``data``: the SDK writes it itself, past
    the codec, in plain JSON (sequence, attempt, activity type, times); the activity's
    result beside it goes through the codec like any payload."""
    marker = event.get("markerRecordedEventAttributes") or {}
    if marker.get("markerName") != "core_local_activity":
        return event
    details = {name: value for name, value in marker["details"].items() if name != "data"}
    return {**event, "markerRecordedEventAttributes": {**marker, "details": details}}


def _patch_bookkeeping(event: dict[str, Any]) -> set[str]:
    """The patch ids an event records for ``workflow.patched``; empty for any other event.

    The SDK writes them itself, past the codec, in plain JSON: the marker's details and the
    TemporalChangeVersion search attribute. They hold the patch ids and nothing else.
    """
    marker = event.get("markerRecordedEventAttributes") or {}
    if marker.get("markerName") == "core_patch":
        [payload] = marker["details"]["patch-data"]["payloads"]
        return {json.loads(base64.b64decode(payload["data"]))["id"]}
    upsert = event.get("upsertWorkflowSearchAttributesEventAttributes") or {}
    fields = upsert.get("searchAttributes", {}).get("indexedFields", {})
    if set(fields) == {"TemporalChangeVersion"}:
        return set(json.loads(base64.b64decode(fields["TemporalChangeVersion"]["data"])))
    return set()


def _entries(settings: Settings, workflow_id: str) -> list[dict[str, Any]]:
    log = open_audit_log(settings)
    return [json.loads(line) for line in log.entries(workflow_id=workflow_id)]


async def test_a_payment_is_audited_once_and_its_pack_proves_it(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    payment_request: PostPaymentRequest,
    tmp_path: Path,
) -> None:
    operator_client = BillBridgeClient(client.temporal, task_queue, actor=AUDITOR)
    handle = await operator_client.start_payment(payment_request)
    result = await handle.result()

    [posted] = _entries(settings, handle.workflow_id)
    assert posted["action"] == "payment.posted" and posted["outcome"] == "posted"
    assert posted["actor"] == {"kind": "operator", "id": "e2e-operator"}
    assert posted["workflow_id"] == handle.workflow_id
    assert posted["details"]["amount_cents"] == payment_request.amount_cents
    assert posted["details"]["confirmation_number"] == result.payment.confirmation_number
    assert payment_request.payment_method_token not in json.dumps(posted)  # last 4 only
    assert open_audit_log(settings).verify().ok

    out = tmp_path / "pack"
    code, output = await run_billbridge(
        settings, task_queue, "audit", "pack", handle.workflow_id, "--out", str(out)
    )
    assert code == 0, output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["workflow_id"] == handle.workflow_id
    assert manifest["run_id"] == (await handle.temporal_handle.describe()).run_id
    assert manifest["namespace"] == settings.temporal_namespace
    stored = open_artifact_store(settings, open_secret_store(settings)).get(result.receipt.key)
    assert manifest["receipt"]["key"] == result.receipt.key
    assert manifest["receipt"]["sha256"] == result.receipt.sha256
    assert manifest["receipt"]["sha256_of_stored_bytes"] == hashlib.sha256(stored).hexdigest()
    assert manifest["receipt"]["verified"] is True
    assert manifest["once"]["post_payment_completed"] == 1
    assert manifest["once"]["payment_posted_audit_entries"] == 1
    assert manifest["once"]["proved"] is True
    assert manifest["audit"]["chain"]["ok"] is True
    history = (out / "history.json").read_text()
    # As Temporal stores it: events present, no payload in plain JSON (base64 "json/plain"),
    # and the encrypted ones are there to be seen (base64 "binary/encrypted"); the
    # exceptions are the SDK's patch and local-activity bookkeeping, which hold nothing of
    # the payment.
    events = json.loads(history)["events"]
    payloads = [
        _without_local_activity_data(event) for event in events if not _patch_bookkeeping(event)
    ]
    assert payloads and "anNvbi9wbGFpbg==" not in json.dumps(payloads)
    patches = set().union(*map(_patch_bookkeeping, events))
    assert patches and patches <= {
        RECORDS_OUTCOME,
        MAINTENANCE_PATCH,
        ONE_PAYMENT_ACTIVITY,
        OPERATOR_HOLD_PATCH,
        BOOKKEEPING_IN_PROCESS,
    }
    assert "YmluYXJ5L2VuY3J5cHRlZA==" in history
    assert [json.loads(line)["seq"] for line in (out / "audit.jsonl").read_text().splitlines()] == [
        posted["seq"]
    ]


@EVERY_PORTAL
async def test_mfa_codes_and_new_credentials_are_audited_without_the_code(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    code_login: CodeLogin,
) -> None:
    connection_id = code_login.connection_id
    sessions = SessionsClient(client.temporal, actor=AUDITOR)
    request = payment_for(sandbox_admin, connection_id, code_login.username)
    handle = await client.start_payment(request)
    await wait_for_status(sessions, connection_id, SessionStatus.AWAITING_MFA)
    right = sandbox_admin.latest_code(code_login.username)
    wrong = "000000" if right != "000000" else "111111"

    assert not (await sessions.submit_mfa_code(connection_id, wrong)).accepted
    assert (await sessions.submit_mfa_code(connection_id, right)).accepted
    await handle.result()
    await sessions.credentials_replaced(connection_id)

    entries = _entries(settings, session_workflow_id(connection_id))
    assert [(e["action"], e["outcome"]) for e in entries] == [
        ("mfa.code_submitted", "rejected"),
        ("mfa.code_submitted", "accepted"),
        ("credentials.replaced", "stored"),
    ]
    assert all(e["actor"] == {"kind": "operator", "id": "e2e-operator"} for e in entries)
    assert entries[0]["details"] == {
        "connection_id": connection_id,
        "method": code_login.method,
        "attempts_left": 2,
    }
    said = json.dumps([{k: e[k] for k in ("actor", "outcome", "details")} for e in entries])
    assert right not in said and wrong not in said
    assert open_audit_log(settings).verify().ok
