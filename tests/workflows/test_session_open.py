"""The session workflow opened by the HTTP API (the ``open`` Update, by update-with-start,
with no business workflow waiting) and the events it raises, browser faked.

On a local dev server of the module's own, not the time-skipping one: nothing here skips
time, and the time-skipping server's gaps with Updates (update-with-start above all) were
seen to complete runs under the worker and leave the shared server timing out for the
modules after this one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from models.api_connections import ConnectionStatus, status_of
from models.audit import Actor, ActorKind
from models.connection_session import SessionStatus, SessionView, SessionWorkflowInput
from models.errors import PortalChanged
from models.events import EventType
from models.failure_evidence import FailureEvidence
from models.sessions import MfaMethod
from security.codec import encrypted_data_converter
from starters.client.sessions_client import SessionsClient
from starters.local.stack import temporal_cli
from stores.keyring import new_keyring
from tests.workflows.conftest import SESSION_HISTORY_LIMIT
from tests.workflows.harness import Harness
from workflows.session_details import AWAITING_MFA_ATTRIBUTE, CONNECTION_ATTRIBUTE

API_KEY = Actor(kind=ActorKind.API_KEY, id="acme/ops")


@pytest_asyncio.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_local(
        data_converter=encrypted_data_converter(new_keyring()),
        dev_server_existing_path=temporal_cli(),
        search_attributes=[CONNECTION_ATTRIBUTE, AWAITING_MFA_ATTRIBUTE],
        ui=False,
    )
    try:
        yield environment
    finally:
        await environment.shutdown()


def sessions(harness: Harness) -> SessionsClient:
    return SessionsClient(harness.client, API_KEY)


async def open_session(harness: Harness) -> SessionView:
    start = SessionWorkflowInput(
        connection_id=harness.connection_id,
        mfa_timeout_seconds=harness.mfa_timeout_seconds,
        history_limit=SESSION_HISTORY_LIMIT,
    )
    return await sessions(harness).open_session(start, harness.task_queue)


async def test_open_starts_the_session_and_signs_in_with_nobody_waiting(harness: Harness) -> None:
    opened = await open_session(harness)
    # A login asked for is under way from the caller's point of view at once.
    assert opened.status is SessionStatus.SIGNING_IN and opened.waiting_workflows == 0

    active = await harness.session_state(lambda view: view.status is SessionStatus.ACTIVE)
    again = await open_session(harness)

    assert (active.logins, again.status, again.logins) == (1, SessionStatus.ACTIVE, 1)
    assert harness.portal.calls["begin_login"] == 1
    assert harness.portal.events == []


async def test_an_sms_login_raises_mfa_required_once_and_a_code_opens_it(
    harness: Harness,
) -> None:
    harness.portal.mfa = MfaMethod.SMS

    await open_session(harness)
    waiting = await harness.session_state(lambda v: v.status is SessionStatus.AWAITING_MFA)
    again = await open_session(harness)  # a second open neither restarts nor re-raises
    outcome = await sessions(harness).submit_mfa_code(
        harness.connection_id, harness.portal.right_code
    )

    assert again.status is SessionStatus.AWAITING_MFA
    assert outcome.accepted
    assert waiting.challenge is not None and waiting.challenge.method == "sms"
    [event] = harness.portal.events
    assert event.type is EventType.CONNECTION_MFA_REQUIRED
    assert event.connection_id == harness.connection_id
    assert event.data == {
        "method": "sms",
        "masked_destination": "***-***-0112",
        "expires_in_seconds": harness.mfa_timeout_seconds,
        "attempts": 3,
    }
    assert harness.portal.calls["begin_login"] == 1
    view = await harness.session_state(lambda v: v.status is SessionStatus.ACTIVE)
    assert view.last_error_type is None


async def test_a_wrong_code_says_why_in_its_result(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS
    await open_session(harness)
    await harness.session_state(lambda v: v.status is SessionStatus.AWAITING_MFA)

    wrong = await sessions(harness).submit_mfa_code(harness.connection_id, "111111")
    expired = await sessions(harness).submit_mfa_code(
        harness.connection_id, harness.portal.expired_code
    )

    assert (wrong.accepted, wrong.failure_type, wrong.attempts_left) == (False, "MfaRejected", 2)
    assert (expired.accepted, expired.failure_type) == (False, "MfaCodeExpired")


async def test_a_refused_password_raises_login_required_and_new_credentials_sign_in(
    harness: Harness,
) -> None:
    harness.portal.refused_passwords = 1

    await open_session(harness)
    refused = await harness.session_state(lambda v: v.status is SessionStatus.LOGIN_REQUIRED)
    again = await open_session(harness)  # only new credentials end login_required
    replaced = await sessions(harness).credentials_replaced(harness.connection_id)
    active = await harness.session_state(lambda v: v.status is SessionStatus.ACTIVE)

    assert refused.last_error_type == "BadCredentials"
    assert status_of(refused)[0] is ConnectionStatus.LOGIN_REQUIRED
    assert again.status is SessionStatus.LOGIN_REQUIRED
    assert replaced.status in (SessionStatus.SIGNING_IN, SessionStatus.ACTIVE)
    assert active.last_error_type is None and active.last_error is None
    assert harness.portal.calls["begin_login"] == 2
    [event] = harness.portal.events
    assert event.type is EventType.CONNECTION_LOGIN_REQUIRED
    assert event.data == {"error_type": "BadCredentials"}
    assert event.id.startswith(f"evt/session-{harness.connection_id}/")


async def test_a_changed_portal_is_still_reported_after_continue_as_new(
    harness: Harness,
) -> None:
    evidence = FailureEvidence(
        screenshot_key="failures/session-x/1-1.png", trace_key="failures/session-x/1-1.trace.zip"
    )
    harness.portal.login_failure = PortalChanged(
        "the sign-in page has no password field", evidence.as_details()
    )

    await open_session(harness)
    failed = await harness.session_state(lambda v: v.last_error_type == "PortalChanged")
    assert status_of(failed)[0] is ConnectionStatus.PORTAL_CHANGED
    # Each stored password is an audited Update: the history grows until it continues.
    for _ in range(10):
        if await harness.session_runs() > 1:
            break
        await sessions(harness).credentials_replaced(harness.connection_id)
    assert await harness.session_runs() > 1, "the session never continued as new"

    view = await harness.session_state(lambda v: v.status is SessionStatus.SIGNED_OUT)
    assert view.last_error_type == "PortalChanged"
    assert failed.last_error_evidence == view.last_error_evidence == evidence  # carried on
    assert status_of(view)[0] is ConnectionStatus.PORTAL_CHANGED
    assert harness.portal.calls["begin_login"] == 1
    assert harness.portal.events == []  # a changed portal is not a refused password
