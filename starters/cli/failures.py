"""What a failed command prints: one line on stderr, and the exit status scripts test."""

from __future__ import annotations

from pydantic import ValidationError

from models.errors import BillBridgeError, InvalidInput
from security.redaction import redact
from workers.temporal_unreachable import TemporalUnreachable

REFUSED = 2  # the input was refused, before anything was sent
FAILED = 1

HOW_TO_START_TEMPORAL = (
    "start one with `make demo` or `temporal server start-dev`, "
    "or set TEMPORAL_ADDRESS to a running one"
)


def explain(err: Exception) -> tuple[str, int] | None:
    """The line and exit status for a failure a person can act on; None for a bug."""
    if isinstance(err, BillBridgeError):
        # Redacted: a portal's text may be in it, and stderr often ends up in a log.
        code = REFUSED if isinstance(err, InvalidInput) else FAILED
        return redact(f"error: {err.type}: {err.message}"), code
    if isinstance(err, ValidationError):
        problem = err.errors(include_input=False)[0]
        return redact(f"error: invalid input: {problem['loc']}: {problem['msg']}"), REFUSED
    if isinstance(err, TemporalUnreachable):
        return unreachable_line(err), FAILED
    return None


def unreachable_line(err: TemporalUnreachable) -> str:
    source = "from TEMPORAL_ADDRESS" if err.address_given else "the default: TEMPORAL_ADDRESS unset"
    return (
        f"error: TemporalUnreachable: no Temporal server answered at {err.address} "
        f"(namespace {err.namespace}; address {source}); {HOW_TO_START_TEMPORAL}"
    )
