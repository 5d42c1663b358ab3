"""Which HTTP status and typed ``code`` each BillBridge error becomes in a problem response.

Looked up along the error's class hierarchy, so a new subclass of a listed error answers
like its parent until it is listed itself; an unlisted retryable error is a 503, any other
a 422. Codes follow the names integrators know from the aggregators (``invalid_credentials``
for a refused password), otherwise the class name in snake case.
"""

from __future__ import annotations

import re
from enum import IntEnum

from models import errors as e
from starters.api.services import WorkerUnavailable
from stores.read_model.idempotency_keys import IdempotencyKeyInUse
from workers.temporal_unreachable import TemporalUnreachable


class Status(IntEnum):
    NOT_FOUND = 404
    CONFLICT = 409
    LOCKED = 423
    PAYMENT_REQUIRED = 402
    UNPROCESSABLE = 422
    INTERNAL = 500
    BAD_GATEWAY = 502
    UNAVAILABLE = 503
    GATEWAY_TIMEOUT = 504


_TABLE: dict[type[BaseException], tuple[Status, str]] = {
    e.InvalidInput: (Status.UNPROCESSABLE, "invalid_request"),
    e.CardNumberRefused: (Status.UNPROCESSABLE, "card_number_refused"),
    e.IdempotencyConflict: (Status.UNPROCESSABLE, "idempotency_conflict"),
    IdempotencyKeyInUse: (Status.CONFLICT, "idempotency_in_progress"),
    e.ConnectionNotFound: (Status.NOT_FOUND, "not_found"),
    e.StatementNotFound: (Status.NOT_FOUND, "not_found"),
    e.ArtifactNotFound: (Status.NOT_FOUND, "not_found"),
    e.BadCredentials: (Status.UNPROCESSABLE, "invalid_credentials"),
    e.AccountLocked: (Status.LOCKED, "account_locked"),
    e.LoginRequired: (Status.CONFLICT, "login_required"),
    e.MfaTimedOut: (Status.CONFLICT, "mfa_timed_out"),
    e.AmbiguousPayment: (Status.CONFLICT, "ambiguous_payment"),
    e.NotAwaitingOperator: (Status.CONFLICT, "not_awaiting_operator"),
    e.PaymentCancelled: (Status.CONFLICT, "payment_cancelled"),
    e.PaymentDeclined: (Status.PAYMENT_REQUIRED, "payment_declined"),
    e.InsufficientFunds: (Status.PAYMENT_REQUIRED, "insufficient_funds"),
    e.PortalChanged: (Status.BAD_GATEWAY, "portal_changed"),
    e.LoginFailed: (Status.BAD_GATEWAY, "login_failed"),
    e.PortalTimeout: (Status.GATEWAY_TIMEOUT, "portal_timeout"),
    e.SecretNotFound: (Status.INTERNAL, "secret_not_found"),
    e.SecretStoreUnreadable: (Status.INTERNAL, "secret_store_unreadable"),
    TemporalUnreachable: (Status.UNAVAILABLE, "temporal_unreachable"),
    WorkerUnavailable: (Status.UNAVAILABLE, "worker_unavailable"),
}

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def status_and_code(error: BaseException) -> tuple[int, str]:
    for klass in type(error).__mro__:
        if klass in _TABLE:
            status, code = _TABLE[klass]
            if klass is type(error) or code != "invalid_request":
                return int(status), code
            # A subclass of InvalidInput names itself (invalid_amount), still a 422.
            return int(status), snake(type(error).__name__)
    if isinstance(error, e.BillBridgeError):
        status = Status.UNAVAILABLE if error.retryable else Status.UNPROCESSABLE
        return int(status), snake(type(error).__name__)
    return int(Status.INTERNAL), "internal_error"
