"""PostPaymentWorkflow's logic with the browser faked: renewals, typed failures, no receipts
after a stop. Each test reads the outcome the caller sees and what the portal was asked."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from models.audit import AuditAction
from models.errors import (
    AmbiguousPayment,
    AmountExceedsBalance,
    InvalidAmount,
    LoginRequired,
    PaymentDeclined,
    SessionExpired,
)
from models.events import EventType
from models.payments import PaymentStep
from tests.workflows.harness import Harness
from workflows.policies import SESSION_RENEWALS
from workflows.post_payment import PostPaymentWorkflow


def failure_type(err: WorkflowFailureError) -> str | None:
    assert isinstance(err.cause, ApplicationError), err.cause
    return err.cause.type


async def test_a_payment_posts_once_and_keeps_its_receipt(harness: Harness) -> None:
    handle = await harness.start_payment()
    result = await handle.result()

    assert result.payment.confirmation_number == "CONF-0001"
    assert result.balance_after.amount_cents == 25_000 - 4_500
    assert result.receipt.key == f"receipts/{harness.connection_id}/CONF-0001.pdf"
    assert not result.already_posted
    portal = harness.portal
    assert (portal.calls["begin_login"], portal.calls["post_payment"]) == (1, 1)
    assert portal.calls["pay_statement"] == 1  # one activity: statement, post and receipt
    assert [entry.outcome for entry in portal.audit] == ["posted"]
    progress = await handle.query(PostPaymentWorkflow.progress)
    assert progress.step is PaymentStep.COMPLETED
    assert PaymentStep.PAYING in progress.steps_done


async def test_a_lost_confirmation_is_reconciled_not_paid_twice(harness: Harness) -> None:
    harness.portal.lost_confirmations = 1

    result = await (await harness.start_payment()).result()

    portal = harness.portal
    assert portal.calls["post_payment"] == 2  # retried: the retry found our reference
    assert result.already_posted
    assert list(portal.ledger) == [result.payment.reference]
    assert portal.balance_cents == 25_000 - 4_500
    assert [entry.outcome for entry in portal.audit] == ["already_posted"]


async def test_an_invalid_amount_fails_before_any_session_is_asked_for(harness: Harness) -> None:
    with pytest.raises(WorkflowFailureError) as failed:
        await (await harness.start_payment(amount_cents=0)).result()

    assert failure_type(failed.value) == InvalidAmount.__name__
    assert sum(harness.portal.calls.values()) == 0


async def test_an_expired_session_is_renewed_and_the_step_rerun(harness: Harness) -> None:
    harness.portal.expiring["post_payment"] = 1

    result = await (await harness.start_payment()).result()

    portal = harness.portal
    assert result.payment.confirmation_number == "CONF-0001"
    assert portal.calls["begin_login"] == 2
    # The rerun used the fresh session; the expired one was deleted.
    assert portal.leases["post_payment"] == ["state-1", "state-2"]
    assert portal.leases["download_receipt"] == ["state-2"]
    assert "state-1" in portal.discarded


async def test_a_session_that_keeps_expiring_fails_typed_after_its_renewals(
    harness: Harness,
) -> None:
    harness.portal.expiring["check_statement"] = 1_000

    with pytest.raises(WorkflowFailureError) as failed:
        await (await harness.start_payment()).result()

    assert failure_type(failed.value) == SessionExpired.__name__
    portal = harness.portal
    # The first try plus one per renewal, each on a session of its own.
    assert portal.calls["check_statement"] == SESSION_RENEWALS + 1
    assert portal.calls["begin_login"] == SESSION_RENEWALS + 1
    assert len(set(portal.leases["check_statement"])) == SESSION_RENEWALS + 1
    assert portal.calls["post_payment"] == 0


async def test_an_ambiguous_payment_stops_without_retry_or_receipt(harness: Harness) -> None:
    harness.portal.post_failure = AmbiguousPayment("two payments carry our reference")

    handle = await harness.start_payment()
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()

    assert failure_type(failed.value) == AmbiguousPayment.__name__
    portal = harness.portal
    assert portal.calls["post_payment"] == 1
    assert portal.calls["download_receipt"] == 0
    assert [(entry.action, entry.outcome) for entry in portal.audit] == [
        (AuditAction.PAYMENT_FAILED, AmbiguousPayment.__name__)
    ]
    progress = await handle.query(PostPaymentWorkflow.progress)
    assert progress.step is PaymentStep.FAILED
    assert PaymentStep.DOWNLOADING_RECEIPT not in progress.steps_done


async def test_an_amount_over_the_balance_is_refused_before_any_post(harness: Harness) -> None:
    harness.portal.balance_cents = 4_499

    with pytest.raises(WorkflowFailureError) as failed:
        await (await harness.start_payment(amount_cents=4_500)).result()

    assert failure_type(failed.value) == AmountExceedsBalance.__name__
    assert harness.portal.calls["check_statement"] == 1
    assert harness.portal.calls["post_payment"] == 0
    assert harness.portal.audit == []


async def test_fail_fast_payments_hear_login_required_and_nobody_retries_the_password(
    harness: Harness,
) -> None:
    harness.portal.refused_passwords = 1

    # The first is registered and told when the login ends; the second asks a session
    # already in login_required and is refused by the acquire Update itself.
    for _ in range(2):
        with pytest.raises(WorkflowFailureError) as failed:
            await (await harness.start_payment(fail_fast=True)).result()
        assert failure_type(failed.value) == LoginRequired.__name__

    assert harness.portal.calls["begin_login"] == 1
    assert harness.portal.calls["check_statement"] == 0


async def test_the_outcome_is_recorded_for_the_read_model_and_raised_as_an_event(
    harness: Harness,
) -> None:
    handle = await harness.start_payment()
    result = await handle.result()
    harness.portal.post_failure = PaymentDeclined("the processor declined the card")
    declined = await harness.start_payment()
    with pytest.raises(WorkflowFailureError):
        await declined.result()

    posted, failed = harness.portal.recorded_payments
    assert (posted.workflow_id, posted.payment, posted.receipt) == (
        handle.id, result.payment, result.receipt
    )  # fmt: skip
    assert posted.failure_type is None
    assert (failed.workflow_id, failed.payment, failed.receipt) == (declined.id, None, None)
    assert failed.failure_type == PaymentDeclined.__name__
    assert [(e.type, e.workflow_id) for e in harness.portal.events] == [
        (EventType.PAYMENT_POSTED, handle.id),
        (EventType.PAYMENT_FAILED, declined.id),
    ]
    posted_event, failed_event = harness.portal.events
    assert posted_event.data["payment_id"] == "pay_1"
    assert posted_event.data["confirmation_number"] == "CONF-0001"
    assert failed_event.data["failure_type"] == PaymentDeclined.__name__
