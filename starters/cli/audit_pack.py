"""An audit pack for one money-moving workflow: what was done, with proof it was done once.

The pack holds the workflow's history exactly as Temporal stores it (payloads still
encrypted: readable only through the codec server), the receipt's key and SHA-256 checked
against the artifact store's bytes, the keys of any failure screenshots or Playwright
traces (from its activities' failures, or from its session's reply when the sign-in met
the changed page), the workflow's audit entries with the chain's verification, and the counts that
show the payment was submitted once. No artifact bytes are copied: receipts name patients.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client, WorkflowHistory
from temporalio.exceptions import ApplicationError

from models.audit import AuditAction
from models.connection_session import SESSION_READY_SIGNAL, SessionReply
from models.failure_evidence import SCREENSHOT, TRACE, FailureEvidence
from models.payments import PostedPayment, PostPaymentResult
from security.audit_log import AuditLog
from stores.artifacts import ArtifactStore
from stores.private_files import write_private
from workflows.post_payment import PostPaymentWorkflow

PACK_FORMAT = "billbridge-audit-pack/1"
# The money-moving activities, counted to prove once: the whole payment since
# "one-payment-activity", the post step of the runs started before it. Either's result reads
# as a PostedPayment (pay_statement's adds the receipt).
POST_PAYMENT_ACTIVITIES = frozenset({"pay_statement", "post_payment"})


@dataclass
class _HistoryFacts:
    workflow_type: str = ""
    post_payment_scheduled: int = 0
    post_payment_attempts: int = 0
    post_payment_completed: list[PostedPayment] = field(default_factory=list)
    result: PostPaymentResult | None = None
    failure_type: str | None = None
    artifacts: dict[str, str] = field(default_factory=dict)  # key -> kind


async def write_audit_pack(
    client: Client, store: ArtifactStore, audit: AuditLog, workflow_id: str, out: Path
) -> dict[str, Any]:
    """Write history.json, audit.jsonl and manifest.json into ``out``; return the manifest."""
    run_id = (await client.get_workflow_handle(workflow_id).describe()).run_id
    history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
    history_json = history.to_json().encode()
    facts = await _read_history(client, history)

    entries = list(audit.entries(workflow_id=workflow_id))
    chain = audit.verify()
    posted_entries = sum(1 for line in entries if _action(line) == AuditAction.PAYMENT_POSTED)
    completed = facts.post_payment_completed
    reconciled = sum(1 for posted in completed if posted.already_posted)
    confirmations = sorted({posted.payment.confirmation_number for posted in completed})
    # Once: one post_payment step completed (however many attempts it took: each attempt
    # looks the reference up before submitting), one confirmation, one audit entry.
    once = len(completed) == 1 and len(confirmations) == 1 and posted_entries == 1

    manifest: dict[str, Any] = {
        "format": PACK_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "namespace": client.namespace,
        "workflow_id": workflow_id,
        "run_id": run_id,
        "workflow_type": facts.workflow_type,
        "failure_type": facts.failure_type,
        "history": {
            "file": "history.json",
            "sha256": hashlib.sha256(history_json).hexdigest(),
            "events": len(history.events),
            "payloads": "as stored by Temporal: encrypted, readable through the codec server",
        },
        "receipt": _receipt(store, facts.result),
        "confirmation_numbers": confirmations,
        "artifacts": [_artifact(store, key, kind) for key, kind in sorted(facts.artifacts.items())],
        "playwright_trace": next((k for k, v in facts.artifacts.items() if v == TRACE), None),
        "audit": {"file": "audit.jsonl", "entries": len(entries), "chain": chain.as_dict()},
        "once": {
            "post_payment_scheduled": facts.post_payment_scheduled,
            "post_payment_attempts": facts.post_payment_attempts,
            "post_payment_completed": len(completed),
            "found_already_posted": reconciled,  # a retry found the payment by its reference
            "payment_posted_audit_entries": posted_entries,
            "proved": once,
        },
    }
    _write_files(
        out,
        {
            "history.json": history_json,
            "audit.jsonl": b"".join(line + b"\n" for line in entries),
            "manifest.json": json.dumps(manifest, indent=2).encode() + b"\n",
        },
    )
    return manifest


def _write_files(out: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        write_private(out / name, content)


async def _read_history(client: Client, history: WorkflowHistory) -> _HistoryFacts:
    """Counts and results from the history; payloads decoded in memory only."""
    facts = _HistoryFacts()
    converter = client.data_converter
    post_payment_ids: set[int] = set()
    for event in history.events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            attributes = event.workflow_execution_started_event_attributes
            facts.workflow_type = attributes.workflow_type.name
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            if scheduled.activity_type.name in POST_PAYMENT_ACTIVITIES:
                post_payment_ids.add(event.event_id)
                facts.post_payment_scheduled += 1
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            if started.scheduled_event_id in post_payment_ids:
                facts.post_payment_attempts += started.attempt
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            done = event.activity_task_completed_event_attributes
            if done.scheduled_event_id in post_payment_ids:
                [posted] = await converter.decode(done.result.payloads, [PostedPayment])
                facts.post_payment_completed.append(posted)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            failure = event.activity_task_failed_event_attributes.failure
            await _collect_artifacts(client, failure, facts)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            signaled = event.workflow_execution_signaled_event_attributes
            # A sign-in that met the changed page failed in the session workflow's history;
            # its keys reached this one in the reply.
            if signaled.signal_name == SESSION_READY_SIGNAL and signaled.input.payloads:
                [reply] = await converter.decode(signaled.input.payloads, [SessionReply])
                if reply.evidence is not None:
                    _note_evidence(reply.evidence, facts)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            failure = event.workflow_execution_failed_event_attributes.failure
            error = await _collect_artifacts(client, failure, facts)
            facts.failure_type = getattr(error, "type", None) or type(error).__name__
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            payloads = event.workflow_execution_completed_event_attributes.result.payloads
            if facts.workflow_type == PostPaymentWorkflow.__name__ and payloads:
                [facts.result] = await converter.decode(payloads, [PostPaymentResult])
    return facts


async def _collect_artifacts(
    client: Client, failure: Failure, facts: _HistoryFacts
) -> BaseException:
    """Screenshot and trace keys a failure carries in its details (PortalChanged does)."""
    error = await client.data_converter.decode_failure(failure)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ApplicationError):
            _note_evidence(FailureEvidence.from_details(cause.details), facts)
        cause = cause.__cause__ or getattr(cause, "cause", None)
    return error


def _note_evidence(evidence: FailureEvidence, facts: _HistoryFacts) -> None:
    if evidence.screenshot_key is not None:
        facts.artifacts[evidence.screenshot_key] = SCREENSHOT
    if evidence.trace_key is not None:
        facts.artifacts[evidence.trace_key] = TRACE


def _receipt(store: ArtifactStore, result: PostPaymentResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    stored = _stored_sha256(store, result.receipt.key)
    return {
        "key": result.receipt.key,
        "sha256": result.receipt.sha256,  # as recorded in the workflow's result
        "sha256_of_stored_bytes": stored,  # recomputed now from the artifact store
        "size_bytes": result.receipt.size_bytes,
        "verified": stored == result.receipt.sha256,
    }


def _artifact(store: ArtifactStore, key: str, kind: str) -> dict[str, Any]:
    return {"key": key, "kind": kind, "sha256": _stored_sha256(store, key)}


def _stored_sha256(store: ArtifactStore, key: str) -> str | None:
    try:
        return hashlib.sha256(store.get(key)).hexdigest()
    except Exception:  # missing or unreadable: the manifest says so (None), the pack is still made
        return None


def _action(line: bytes) -> str | None:
    try:
        action = json.loads(line).get("action")
    except (ValueError, AttributeError):
        return None
    return str(action) if action is not None else None
