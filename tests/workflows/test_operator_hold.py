"""A changed portal holds the payment for an operator: retry or cancel by Update, the
connection's other payments going on meanwhile. Browser steps faked, time skipped."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from temporalio.client import WorkflowFailureError, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from models.audit import Actor, ActorKind, AuditAction
from models.connection_session import MfaCodeSubmission, SessionStatus
from models.errors import NotAwaitingOperator, PaymentCancelled, PortalChanged
from models.events import EventType
from models.failure_evidence import FailureEvidence
from models.operator_hold import OperatorAction, OperatorDecision
from models.payments import PaymentProgress, PaymentStep
from models.sessions import MfaMethod
from tests.workflows.harness import STATE_DEADLINE_SECONDS, Harness
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.policies import OPERATOR_HOLD_TIMEOUT
from workflows.post_payment import PostPaymentWorkflow

OPERATOR = Actor(kind=ActorKind.OPERATOR, id="dana")
EVIDENCE = {"screenshot": "failures/p/1-1.png", "trace": "failures/p/1-1.trace.zip"}


@pytest.fixture
def env(module_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return module_env  # the unanswered hold skips a week: a server of its own


def changed_pay_form() -> PortalChanged:
    return PortalChanged("the pay form has no 'Pay' button", EVIDENCE)


async def held(handle: WorkflowHandle[Any, Any]) -> PaymentProgress:
    deadline = time.monotonic() + STATE_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        progress: PaymentProgress = await handle.query(PostPaymentWorkflow.progress)
        if progress.step is PaymentStep.AWAITING_OPERATOR:
            return progress
        await asyncio.sleep(0.05)
    raise AssertionError(f"never held for an operator; last seen: {progress}")


def decision(action: OperatorAction, reason: str | None = None) -> OperatorDecision:
    return OperatorDecision(action=action, decided_by=OPERATOR, reason=reason)


async def test_a_changed_pay_form_holds_then_an_operator_retry_posts_once(
    harness: Harness,
) -> None:
    harness.portal.post_failure = changed_pay_form()
    handle = await harness.start_payment()

    progress = await held(handle)
    assert progress.hold is not None
    # One activity pays (statement, lookup, submit, receipt): the hold names that step.
    assert progress.hold.failed_step == PaymentStep.PAYING.value
    assert (progress.hold.screenshot_key, progress.hold.trace_key) == (
        EVIDENCE["screenshot"], EVIDENCE["trace"]
    )  # fmt: skip
    assert "no 'Pay' button" in progress.hold.changed

    harness.portal.post_failure = None  # the adapter (or the portal) was fixed
    accepted = await handle.execute_update(
        PostPaymentWorkflow.operator_decision, decision(OperatorAction.RETRY)
    )
    result = await handle.result()

    assert accepted.action is OperatorAction.RETRY
    assert accepted.failed_step == PaymentStep.PAYING.value
    portal = harness.portal
    assert list(portal.ledger) == [result.payment.reference]
    assert portal.calls["post_payment"] == 2
    assert [(e.action, e.outcome) for e in portal.audit] == [
        (AuditAction.PAYMENT_FAILED, PortalChanged.__name__),
        (AuditAction.PAYMENT_RETRIED, "retry"),
        (AuditAction.PAYMENT_POSTED, "posted"),
    ]
    assert portal.audit[1].actor == OPERATOR
    assert [e.type for e in portal.events] == [EventType.PAYMENT_POSTED]
    final = await handle.query(PostPaymentWorkflow.progress)
    assert final.step is PaymentStep.COMPLETED and final.hold is None


async def test_a_retry_after_the_payment_posted_finds_it_instead_of_refusing_the_amount(
    harness: Harness,
) -> None:
    """The receipt page changed after the submit, on a payment of the whole balance: the
    retry's statement shows nothing left to pay, yet the payment is ours and stands."""
    harness.portal.balance_cents = 4_500
    harness.portal.receipt_failure = PortalChanged("the receipt page has no download link")
    handle = await harness.start_payment(amount_cents=4_500)
    progress = await held(handle)
    assert progress.hold is not None
    assert progress.hold.failed_step == PaymentStep.PAYING.value

    harness.portal.receipt_failure = None
    await handle.execute_update(
        PostPaymentWorkflow.operator_decision, decision(OperatorAction.RETRY)
    )
    result = await handle.result()

    assert result.already_posted and harness.portal.balance_cents == 0
    assert list(harness.portal.ledger) == [result.payment.reference]


async def test_an_operator_cancel_fails_the_payment_typed_and_recorded(harness: Harness) -> None:
    harness.portal.post_failure = changed_pay_form()
    handle = await harness.start_payment()
    await held(handle)

    await handle.execute_update(
        PostPaymentWorkflow.operator_decision,
        decision(OperatorAction.CANCEL, reason="vendor redesign, paying by phone"),
    )
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == PaymentCancelled.__name__
    assert "dana" in failed.value.cause.message
    portal = harness.portal
    assert portal.ledger == {}
    cancelled = portal.audit[-1]
    assert (cancelled.action, cancelled.actor) == (AuditAction.PAYMENT_CANCELLED, OPERATOR)
    assert cancelled.details["reason"] == "vendor redesign, paying by phone"
    (record,) = portal.recorded_payments
    assert (record.failure_type, record.payment) == (PaymentCancelled.__name__, None)
    assert [(e.type, e.data["failure_type"]) for e in portal.events] == [
        (EventType.PAYMENT_FAILED, PaymentCancelled.__name__)
    ]
    assert (await handle.query(PostPaymentWorkflow.progress)).step is PaymentStep.FAILED


async def test_a_held_payment_lets_the_connections_other_payments_go_on(
    harness: Harness,
) -> None:
    harness.portal.post_failure = changed_pay_form()
    first = await harness.start_payment()
    await held(first)

    harness.portal.post_failure = None
    second = await (await harness.start_payment()).result()

    assert second.payment.reference in harness.portal.ledger
    assert (await first.query(PostPaymentWorkflow.progress)).step is PaymentStep.AWAITING_OPERATOR
    await first.execute_update(
        PostPaymentWorkflow.operator_decision, decision(OperatorAction.RETRY)
    )
    first_result = await first.result()
    assert len(harness.portal.ledger) == 2
    assert harness.portal.calls["begin_login"] == 1  # one session served all of it
    assert first_result.payment.reference != second.payment.reference


async def test_a_changed_sign_in_page_holds_at_the_session_step_with_its_evidence(
    harness: Harness,
) -> None:
    harness.portal.login_failure = PortalChanged("the sign-in page has no password field", EVIDENCE)
    handle = await harness.start_payment()

    progress = await held(handle)
    assert progress.hold is not None
    assert progress.hold.failed_step == PaymentStep.AWAITING_SESSION.value
    # The session workflow's sign-in met the change; its reply carried the keys here.
    assert (progress.hold.screenshot_key, progress.hold.trace_key) == (
        EVIDENCE["screenshot"], EVIDENCE["trace"]
    )  # fmt: skip

    harness.portal.login_failure = None
    await handle.execute_update(
        PostPaymentWorkflow.operator_decision, decision(OperatorAction.RETRY)
    )
    result = await handle.result()
    assert result.payment.reference in harness.portal.ledger
    assert harness.portal.calls["begin_login"] == 2


async def test_a_changed_page_after_the_mfa_code_holds_with_its_evidence(
    harness: Harness,
) -> None:
    """An interstitial where the statements should follow the code: the failing activity is
    the session's submit_mfa_code. The code goes by signal: an Update on the time-skipping
    server left the next test's week-long skip hanging."""
    harness.portal.mfa = MfaMethod.SMS
    harness.portal.code_failure = PortalChanged("sign-in: an unexpected page followed the code",
                                                EVIDENCE)  # fmt: skip
    handle = await harness.start_payment()
    await harness.session_state(lambda view: view.status is SessionStatus.AWAITING_MFA)

    await harness.session().signal(
        ConnectionSessionWorkflow.submit_mfa_code_signal,
        MfaCodeSubmission(code=harness.portal.right_code),
    )

    progress = await held(handle)
    assert progress.hold is not None
    assert progress.hold.failed_step == PaymentStep.AWAITING_SESSION.value
    assert (progress.hold.screenshot_key, progress.hold.trace_key) == (
        EVIDENCE["screenshot"], EVIDENCE["trace"]
    )  # fmt: skip


async def test_a_decision_is_refused_unless_the_payment_is_held(harness: Harness) -> None:
    harness.portal.mfa = MfaMethod.SMS  # running, but waiting for a code, not an operator
    handle = await harness.start_payment()
    await harness.session_state(lambda view: view.status is SessionStatus.AWAITING_MFA)

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            PostPaymentWorkflow.operator_decision, decision(OperatorAction.RETRY)
        )

    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == NotAwaitingOperator.__name__
    # Refused by the validator: nothing in history.
    history = await handle.fetch_history()
    assert not any(
        e.HasField("workflow_execution_update_accepted_event_attributes") for e in history.events
    )


async def test_an_unanswered_hold_fails_as_the_changed_portal_it_was(harness: Harness) -> None:
    harness.portal.post_failure = changed_pay_form()
    handle = await harness.start_payment()
    await held(handle)
    await harness.waiting_on_timers(handle)

    await harness.env.sleep(OPERATOR_HOLD_TIMEOUT)
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert isinstance(failed.value.cause, ApplicationError)
    assert failed.value.cause.type == PortalChanged.__name__
    # The evidence goes with it: an operator who came too late still finds what changed.
    assert FailureEvidence.from_details(failed.value.cause.details) == FailureEvidence.from_details(
        [EVIDENCE]
    )
    assert [r.failure_type for r in harness.portal.recorded_payments] == [PortalChanged.__name__]
