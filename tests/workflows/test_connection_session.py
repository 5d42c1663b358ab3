"""ConnectionSessionWorkflow with real PostPaymentWorkflows waiting on it, browser faked:
MFA answered, refused and timed out; many requesters, one sign-in; continue-as-new."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from models.audit import AuditAction
from models.connection_session import (
    SESSION_READY_SIGNAL,
    CredentialsReplacement,
    MfaCodeSubmission,
    SessionReply,
    SessionStatus,
    SessionView,
)
from models.errors import MfaTimedOut
from models.payments import PostPaymentResult
from models.sessions import MfaMethod
from tests.workflows.harness import Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.policies import SESSION_REPLY_RECHECK
from workflows.post_payment import PostPaymentWorkflow


@pytest.fixture
def env(module_env: WorkflowEnvironment) -> WorkflowEnvironment:
    # The re-ask skips 15 minutes and the MFA timeout ten: a server of their own (on the
    # shared one, that skip once hung until its RPC timed out, after other modules' tests).
    return module_env


def awaiting_mfa(view: SessionView) -> bool:
    return view.status is SessionStatus.AWAITING_MFA


async def test_many_payments_share_one_sign_in(harness: Harness) -> None:
    handles = [await harness.start_payment() for _ in range(5)]

    results = await asyncio.gather(*(handle.result() for handle in handles))

    assert len({result.payment.confirmation_number for result in results}) == 5
    assert harness.portal.calls["begin_login"] == 1
    assert set(harness.portal.leases["post_payment"]) == {"state-1"}


async def test_an_mfa_wait_times_out_and_the_waiting_payment_fails_with_it(
    harness: Harness,
) -> None:
    harness.portal.mfa = MfaMethod.SMS
    handle = await harness.start_payment()
    await harness.session_state(awaiting_mfa)
    await harness.waiting_on_timers(handle, harness.session())
    started = await harness.env.get_current_time()

    # Skip just past the session's MFA deadline.
    await harness.env.sleep(timedelta(seconds=harness.mfa_timeout_seconds + 1))
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == MfaTimedOut.__name__
    skipped = await harness.env.get_current_time() - started
    assert skipped >= timedelta(seconds=harness.mfa_timeout_seconds)
    view = await harness.session().query(ConnectionSessionWorkflow.state)
    assert view.status is SessionStatus.SIGNED_OUT
    assert view.challenge is None and view.waiting_workflows == 0
    portal = harness.portal
    assert portal.calls["submit_mfa_code"] == 0
    assert portal.calls["check_statement"] == 0
    assert portal.discarded == ["state-1"]  # the pre-auth state nobody may finish now


async def test_a_wrong_mfa_code_then_the_right_one_signs_in(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS
    handle = await harness.start_payment()
    session = harness.session()
    view = await harness.session_state(awaiting_mfa)
    assert view.challenge is not None and view.challenge.attempts_left == 3

    wrong = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code, MfaCodeSubmission(code="111111")
    )
    right = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    result = await handle.result()

    assert (wrong.accepted, wrong.attempts_left) == (False, 2)
    assert right.accepted
    assert harness.portal.calls["submit_mfa_code"] == 2
    # The session is the one the code opened, not the pre-auth state.
    assert harness.portal.leases["post_payment"] == ["state-2"]
    assert result.payment.confirmation_number == "CONF-0001"
    codes = [e for e in harness.portal.audit if e.action is AuditAction.MFA_CODE_SUBMITTED]
    assert [entry.outcome for entry in codes] == ["rejected", "accepted"]


async def test_an_expired_code_keeps_the_challenge_open_for_a_resent_one(
    harness: Harness,
) -> None:
    harness.portal.mfa = MfaMethod.SMS
    handle = await harness.start_payment()
    session = harness.session()
    await harness.session_state(awaiting_mfa)

    expired = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.expired_code),
    )
    resent = await session.execute_update(ConnectionSessionWorkflow.resend_mfa_code)
    right = await session.execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    await handle.result()

    # Not the person's fault: no attempt used up.
    assert (expired.accepted, expired.attempts_left) == (False, 3)
    assert "expired" in expired.message
    assert resent.masked_destination == "***-***-0112"
    assert right.accepted
    assert harness.portal.calls["resend_mfa_code"] == 1
    assert harness.portal.calls["submit_mfa_code"] == 2


async def test_a_requester_re_asks_after_the_session_workflow_vanished(
    harness: Harness,
) -> None:
    """An operator terminated the session workflow while a payment waited on it: the
    payment's periodic re-ask starts a new one, which signs in and answers it."""
    harness.portal.refused_passwords = 1
    handle = await harness.start_payment()
    await harness.session_state(
        lambda view: view.status is SessionStatus.LOGIN_REQUIRED and view.waiting_workflows == 1
    )
    await harness.session().terminate("operator reset the connection")
    await harness.waiting_on_timers(handle)

    await harness.env.sleep(SESSION_REPLY_RECHECK + timedelta(seconds=1))
    result = await handle.result()

    assert result.payment.confirmation_number == "CONF-0001"
    assert harness.portal.calls["begin_login"] == 2
    assert harness.portal.leases["post_payment"] == ["state-1"]


async def test_a_session_reply_carrying_a_card_number_is_ignored(harness: Harness) -> None:
    """Not from a session workflow: the payment keeps waiting for the real answer."""
    harness.portal.mfa = MfaMethod.SMS
    handle = await harness.start_payment()
    await harness.session_state(awaiting_mfa)

    await handle.signal(
        SESSION_READY_SIGNAL,
        SessionReply(error_type="LoginFailed", error_message="card 4111 1111 1111 1111"),
    )
    await harness.session().execute_update(
        ConnectionSessionWorkflow.submit_mfa_code,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    result = await handle.result()

    assert result.payment.confirmation_number == "CONF-0001"


async def test_a_malformed_code_is_refused_before_the_portal_sees_it(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS
    await harness.start_payment()
    await harness.session_state(awaiting_mfa)

    with pytest.raises(WorkflowUpdateFailedError):
        await harness.session().execute_update(
            ConnectionSessionWorkflow.submit_mfa_code, MfaCodeSubmission(code="12ab")
        )

    view = await harness.session().query(ConnectionSessionWorkflow.state)
    assert view.status is SessionStatus.AWAITING_MFA
    assert view.challenge is not None and view.challenge.attempts_left == 3
    assert harness.portal.calls["submit_mfa_code"] == 0


async def test_three_wrong_codes_fail_the_login(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS
    handle = await harness.start_payment()
    await harness.session_state(awaiting_mfa)

    results = [
        await harness.session().execute_update(
            ConnectionSessionWorkflow.submit_mfa_code, MfaCodeSubmission(code="111111")
        )
        for _ in range(3)
    ]
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert [r.attempts_left for r in results] == [2, 1, 0]
    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == "MfaRejected"
    assert harness.portal.calls["submit_mfa_code"] == 3


async def test_codes_sent_by_signal_are_checked_like_updates(harness: Harness) -> None:
    """For tools that can only signal: a malformed code shows in the state, never reaches
    the portal; the right one signs in."""
    harness.portal.mfa = MfaMethod.EMAIL
    handle = await harness.start_payment()
    await harness.session_state(awaiting_mfa)

    await harness.session().signal(
        ConnectionSessionWorkflow.submit_mfa_code_signal, MfaCodeSubmission(code="12ab")
    )
    refused = await harness.session_state(lambda view: view.last_mfa_result is not None)
    await harness.session().signal(
        ConnectionSessionWorkflow.submit_mfa_code_signal,
        MfaCodeSubmission(code=harness.portal.right_code),
    )
    result = await handle.result()

    assert refused.status is SessionStatus.AWAITING_MFA
    assert refused.last_mfa_result is not None and not refused.last_mfa_result.accepted
    assert harness.portal.calls["submit_mfa_code"] == 1
    assert result.payment.confirmation_number == "CONF-0001"
    view = await harness.session().query(ConnectionSessionWorkflow.state)
    assert (view.status, view.logins) == (SessionStatus.ACTIVE, 1)


async def test_waiters_keep_their_place_across_continue_as_new(harness: Harness) -> None:
    """Payments wait while the connection needs new credentials. Each request lengthens the
    session's history until it continues as new, carrying the waiters; one more registers
    with the new run. New credentials then answer every one of them with a lease."""
    harness.portal.refused_passwords = 1
    handles: list[WorkflowHandle[PostPaymentWorkflow, PostPaymentResult]] = []

    async def one_more_waiter() -> None:
        handles.append(await harness.start_payment())
        await harness.session_state(lambda view: view.waiting_workflows == len(handles))

    await one_more_waiter()
    while await harness.session_runs() == 1:
        assert len(handles) < 10, "the session never continued as new"
        await one_more_waiter()
    await one_more_waiter()

    view = await harness.session().query(ConnectionSessionWorkflow.state)
    assert view.status is SessionStatus.LOGIN_REQUIRED
    # Why it needs repair survives continue-as-new (it once came back as None).
    assert view.last_error is not None and "refused" in view.last_error.lower()
    assert view.last_error_type == "BadCredentials"
    await harness.session().execute_update(
        ConnectionSessionWorkflow.credentials_replaced, CredentialsReplacement()
    )
    results = [await handle.result() for handle in handles]

    assert len({result.payment.confirmation_number for result in results}) == len(handles)
    assert harness.portal.calls["begin_login"] == 2  # the refused password, the new one
    assert set(harness.portal.leases["post_payment"]) == {"state-1"}
    view = await harness.session().query(ConnectionSessionWorkflow.state)
    assert (view.status, view.waiting_workflows, view.logins) == (SessionStatus.ACTIVE, 0, 1)
    replaced = [e for e in harness.portal.audit if e.action is AuditAction.CREDENTIALS_REPLACED]
    assert [entry.outcome for entry in replaced] == ["login_resumed"]
