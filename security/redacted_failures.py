"""Activity failures leave the worker redacted: messages, string details and causes.

An activity's exception becomes a Temporal failure (stored in workflow history, shown in the
UI and by ``temporal workflow show``) and a warning in the worker's log. BillBridge's own
typed errors are written to carry no patient data, but an exception built from portal text
(a pydantic error quoting a parsed value, a library message quoting a page) could. The
worker's interceptor (``RedactingInterceptor``, registered in ``workers.main.build_worker``)
passes every failing activity's exception through the redactor first; an exception with
nothing to redact leaves untouched, so retries, types and details behave exactly as before.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError, FailureError
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from models.errors import ERROR_TYPES
from security.redaction import redact

_MAX_CAUSES = 8


def safe_message(error: BaseException) -> str:
    """The exception's message, redacted. A pydantic error is rendered without the
    offending input values, which it would otherwise quote."""
    if isinstance(error, ApplicationError):
        message = error.message
    elif isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
            for problem in error.errors(include_input=False, include_url=False)
        )
        message = f"{error.error_count()} validation error(s) for {error.title}: {problems}"
    else:
        message = str(error)
    return redact(message)


def redacted_failure(error: BaseException, depth: int = 0) -> BaseException:
    """``error`` itself when it carries nothing to redact, else an equivalent
    ApplicationError (same type name, retryability and details) with redacted text."""
    if _passes_as_is(error):
        return error
    cause = error.__cause__
    safe_cause = redacted_failure(cause, depth + 1) if cause and depth < _MAX_CAUSES else None
    message = safe_message(error)
    details = _details(error)
    if (
        message == _raw_message(error)
        and details == list(_raw_details(error))
        and safe_cause is cause
        and not isinstance(error, ValidationError)
    ):
        return error
    rebuilt = _rebuild(error, message, details)
    rebuilt.__cause__ = safe_cause
    rebuilt.__suppress_context__ = True
    return rebuilt.with_traceback(error.__traceback__)


def _passes_as_is(error: BaseException) -> bool:
    # Cancellation, "complete asynchronously" and the like are control flow, not messages.
    if isinstance(error, ApplicationError):
        return False
    if isinstance(error, FailureError):
        return True
    return type(error).__module__.startswith("temporalio") or not isinstance(error, Exception)


def _raw_message(error: BaseException) -> str:
    return error.message if isinstance(error, ApplicationError) else str(error)


def _raw_details(error: BaseException) -> tuple[Any, ...]:
    return tuple(error.details) if isinstance(error, ApplicationError) else ()


def _details(error: BaseException) -> list[Any]:
    return [redact(d) if isinstance(d, str) else d for d in _raw_details(error)]


def _rebuild(error: BaseException, message: str, details: list[Any]) -> ApplicationError:
    if not isinstance(error, ApplicationError):
        # What Temporal would have made of it: the class name as type, retryable.
        return ApplicationError(message, type=type(error).__name__)
    typed = ERROR_TYPES.get(error.type or "")
    if typed is not None and type(error) is typed:
        return typed(message, *details)
    return ApplicationError(
        message,
        *details,
        type=error.type,
        non_retryable=error.non_retryable,
        next_retry_delay=error.next_retry_delay,
        category=error.category,
    )


class _RedactingActivityInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except Exception as error:
            safe = redacted_failure(error)
            if safe is error:
                raise
            # Its own (redacted) cause, never the unredacted original as context.
            raise safe from safe.__cause__


class RedactingInterceptor(Interceptor):
    """Worker interceptor: every activity failure passes ``redacted_failure``."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _RedactingActivityInbound(next)
