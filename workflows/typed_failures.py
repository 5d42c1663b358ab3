"""Activity failures as the typed errors they carry, the same way in every workflow.

Temporal wraps an activity's ``ApplicationError`` in an ``ActivityError``; callers and
branches care about the BillBridge type inside (``StatementNotFound``, ``SessionExpired``…).
Types are always named by class (``SessionExpired``), never by a string literal, so a
renamed error breaks at import instead of silently never matching.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.errors import ERROR_TYPES, BillBridgeError, find_typed_failure

T = TypeVar("T")


# The BillBridge-typed failure inside an activity (or child) failure, if any: its type is
# always one of ERROR_TYPES.
typed_failure = find_typed_failure


def failure_type(error: BaseException) -> str | None:
    """The BillBridge type name a failure carries (for audit outcomes), if any."""
    typed = find_typed_failure(error)
    return typed.type if typed is not None else None


def failed_with(error: BaseException, *kinds: type[BillBridgeError]) -> ApplicationError | None:
    """The typed failure when it is one of ``kinds`` (or a subclass), else None."""
    typed = find_typed_failure(error)
    if typed is None or typed.type is None:
        return None
    return typed if issubclass(ERROR_TYPES[typed.type], kinds) else None


def workflow_failure(type_name: str, message: str, *details: Any) -> ApplicationError:
    """The workflow's own non-retryable failure of that type: what its caller sees
    (``details`` as an activity's failure carries them: PortalChanged's evidence)."""
    return ApplicationError(message, *details, type=type_name, non_retryable=True)


async def failing_typed(work: Awaitable[T], on_failure: Callable[[str], None]) -> T:
    """Await a workflow's work; a failure is reported to ``on_failure`` and re-raised with
    the activity's typed cause as the workflow's own failure, so callers see
    ``StatementNotFound`` rather than a wrapper around it."""
    try:
        return await work
    except ActivityError as err:
        typed = find_typed_failure(err)
        on_failure(typed.message if typed else str(err))
        if typed is None or typed.type is None:
            raise
        # With its details: a PortalChanged's evidence keys outlive the attempt that met it.
        raise workflow_failure(typed.type, typed.message, *typed.details) from err
    except ApplicationError as err:
        on_failure(err.message)
        raise
