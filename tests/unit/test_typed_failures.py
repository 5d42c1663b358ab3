"""The workflows' one way from an activity failure to the typed error it carries."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from models.errors import (
    ERROR_TYPES,
    NON_RETRYABLE_ERROR_TYPES,
    InsufficientFunds,
    LoginFailed,
    PaymentDeclined,
    SessionExpired,
    StatementNotFound,
)
from workflows.typed_failures import failed_with, failing_typed, failure_type


def _activity_failure(cause: BaseException | None) -> ActivityError:
    error = ActivityError(
        "activity failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="worker",
        activity_type="post_payment",
        activity_id="1",
        retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )
    error.__cause__ = cause
    return error


def test_login_failed_is_a_typed_non_retryable_error() -> None:
    assert ERROR_TYPES["LoginFailed"] is LoginFailed
    assert LoginFailed.__name__ in NON_RETRYABLE_ERROR_TYPES


def test_failed_with_matches_by_class_and_subclass() -> None:
    declined = _activity_failure(InsufficientFunds("no funds"))
    assert failed_with(declined, PaymentDeclined) is not None
    assert failed_with(declined, InsufficientFunds) is not None
    assert failed_with(declined, SessionExpired) is None
    assert failure_type(declined) == "InsufficientFunds"
    untyped = _activity_failure(ApplicationError("boom", type="SomethingElse"))
    assert failed_with(untyped, SessionExpired) is None
    assert failure_type(untyped) is None


async def test_failing_typed_raises_the_typed_cause_as_the_workflows_own() -> None:
    seen: list[str] = []

    async def work() -> None:
        raise _activity_failure(StatementNotFound("no statement ST-1"))

    with pytest.raises(ApplicationError) as raised:
        await failing_typed(work(), on_failure=seen.append)
    assert not isinstance(raised.value, ActivityError)
    assert (raised.value.type, raised.value.message) == ("StatementNotFound", "no statement ST-1")
    assert raised.value.non_retryable
    assert seen == ["no statement ST-1"]


async def test_failing_typed_leaves_untyped_failures_as_they_are() -> None:
    seen: list[str] = []
    failure = _activity_failure(RuntimeError("driver crashed"))

    async def work() -> None:
        raise failure

    with pytest.raises(ActivityError) as raised:
        await failing_typed(work(), on_failure=seen.append)
    assert raised.value is failure
    assert seen == ["activity failed"]


async def test_failing_typed_reports_the_workflows_own_typed_errors() -> None:
    seen: list[str] = []

    async def work() -> int:
        raise StatementNotFound("refused in the workflow")

    with pytest.raises(StatementNotFound):
        await failing_typed(work(), on_failure=seen.append)
    assert seen == ["refused in the workflow"]
    assert await failing_typed(_answer(), on_failure=seen.append) == 42


async def _answer() -> int:
    return 42
