"""What an audit pack reads from a history: the once-counts, the result, artifact keys."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from temporalio.api.failure.v1 import Failure
from temporalio.client import Client, WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from models.errors import PortalChanged
from security.codec import encrypted_data_converter
from starters.cli.audit_pack import _collect_artifacts, _HistoryFacts, _read_history
from tests.replay.recording import HISTORIES, REPLAY_KEYRING

PLAIN_CLIENT = cast(Client, SimpleNamespace(data_converter=pydantic_data_converter))
REPLAY_CLIENT = cast(
    Client, SimpleNamespace(data_converter=encrypted_data_converter(REPLAY_KEYRING))
)
# base64 of "binary/encrypted": a history recorded with the codec (a patch marker stays plain)
ENCRYPTED_ENCODING = "YmluYXJ5L2VuY3J5cHRlZA=="


def _history(name: str) -> tuple[Client, WorkflowHistory]:
    """A recorded replay history and a client whose converter reads it."""
    text = (HISTORIES / f"{name}.json").read_text()
    client = REPLAY_CLIENT if ENCRYPTED_ENCODING in text else PLAIN_CLIENT
    return client, WorkflowHistory.from_json(name, text)


async def test_a_payment_history_shows_one_completed_post() -> None:
    facts = await _read_history(*_history("PostPaymentWorkflow--happy-path"))
    assert facts.workflow_type == "PostPaymentWorkflow"
    assert (facts.post_payment_scheduled, len(facts.post_payment_completed)) == (1, 1)
    assert facts.result is not None and facts.result.receipt.sha256
    assert not facts.post_payment_completed[0].already_posted


async def test_a_crash_after_submit_is_one_post_found_by_its_reference() -> None:
    facts = await _read_history(*_history("PostPaymentWorkflow--crash-after-submit"))
    assert len(facts.post_payment_completed) == 1
    assert facts.post_payment_attempts >= 2
    assert facts.post_payment_completed[0].already_posted


async def test_a_failed_payment_names_its_type_and_no_post() -> None:
    facts = await _read_history(*_history("PostPaymentWorkflow--StatementNotFound"))
    assert facts.failure_type == "StatementNotFound"
    assert facts.post_payment_completed == [] and facts.result is None


async def test_screenshot_keys_are_read_from_failure_details() -> None:
    failure = Failure()
    error: Any = PortalChanged("the pay form moved", {"screenshot": "failures/wf/7-1.png"})
    await pydantic_data_converter.encode_failure(error, failure)
    facts = _HistoryFacts()
    await _collect_artifacts(PLAIN_CLIENT, failure, facts)
    assert facts.artifacts == {"failures/wf/7-1.png": "screenshot"}


async def test_a_changed_sign_in_pages_keys_are_read_from_the_session_reply() -> None:
    facts = await _read_history(*_history("PostPaymentWorkflow--operator-hold-sign-in-retry"))
    assert sorted(facts.artifacts.values()) == ["screenshot", "trace"]
    assert all(key.startswith("failures/session-") for key in facts.artifacts)
    assert (facts.post_payment_scheduled, len(facts.post_payment_completed)) == (1, 1)


async def test_a_one_activity_payment_counts_its_pay_statement_as_the_post() -> None:
    facts = await _read_history(*_history("PostPaymentWorkflow--one-activity-happy-path"))
    assert (facts.post_payment_scheduled, len(facts.post_payment_completed)) == (1, 1)
    assert not facts.post_payment_completed[0].already_posted
    crashed = await _read_history(*_history("PostPaymentWorkflow--one-activity-crash-after-submit"))
    assert crashed.post_payment_attempts >= 2
    assert [posted.already_posted for posted in crashed.post_payment_completed] == [True]
