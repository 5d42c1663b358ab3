"""BillBridge's typed failures, shared by workflows, activities and starters.

Every error is a Temporal ``ApplicationError`` whose ``type`` is the class name, so a
failure keeps its type across the activity → workflow → client boundary and retry
policies can name it.  The hierarchy::

    BillBridgeError (ApplicationError)
    ├── RetryableError                  Temporal retries these with backoff
    │   ├── PortalUnavailable           5xx, connection refused/reset, navigation failed
    │   ├── PortalTimeout               the portal did not answer in time
    │   ├── SessionExpired              the portal dropped our session: log in again
    │   ├── WebhookNotAccepted          a webhook receiver answered other than 2xx, or
    │   │                               not at all: the delivery backs off and tries again
    │   ├── PortalInMaintenance         the portal shows its maintenance page; carries
    │   │                               when it ends (an activity that opts in returns
    │   │                               PortalMaintenance instead, docs/batch-windows.md)
    │   └── ConfirmationMissing         submitted, but no confirmation page arrived:
    │                                   the retry reconciles by reference first
    └── NonRetryableError               retrying cannot help; the workflow fails typed
        ├── InvalidInput                a caller mistake, refused before any portal work
        │   ├── InvalidAmount           amount ≤ 0
        │   ├── AmountExceedsBalance    amount > the statement's balance
        │   ├── CardNumberRefused       a primary account number where a token belongs
        │   ├── RefundExceedsNet        a refund above what is left of the payment (its
        │   │                           net paid): refused before anything is submitted
        │   ├── PaymentNotRefundable    nothing the portal lets us give back: voided,
        │   │                           fully refunded, or a partial refund before settlement
        │   ├── IdempotencyConflict     same idempotency key, different parameters
        │   ├── PlanNotEligible         the balance is below what the portal plans on
        │   ├── InstallmentBelowMinimum the installment is below the portal's minimum
        │   ├── PlanTermTooLong         the installment would run past the maximum term
        │   ├── PlanChangeRefused       the plan is not in a state that allows the change
        │   └── NotAwaitingOperator     an operator's retry/cancel for a payment that is
        │                               not held for one (refused by the Update validator)
        ├── NotOffered                  the connection's portal does not offer this
        │                               process (a refund on Cedar): names the portal
        ├── ConnectionNotFound          no such connection configured
        ├── SecretNotFound              a secret reference resolves to nothing
        ├── SecretStoreUnreadable       the store cannot be opened: master key missing or
        │                               wrong, store not configured, access denied
        ├── ArtifactNotFound            no stored artifact under that key
        ├── StatementNotFound           the portal has no such statement
        ├── EstimateNotFound            the portal has no such estimate
        ├── DepositNotDue               the estimate asks no deposit (expired, or one
        │                               was paid without our reference)
        ├── DepositNotApplied           followed to the end of its window, the deposit
        │                               was never applied: a person looks
        ├── UnknownPaymentMethod        the token is not on file at the portal
        ├── PlanNotFound                the portal has no such payment plan
        ├── PlanRefused                 the portal refused a plan enrollment or change
        │                               (its plan rules, or the plan has ended)
        ├── BadCredentials              the portal rejected username/password
        ├── AccountLocked               the portal locked the login
        ├── MfaRejected                 the portal refused the one-time codes (too many)
        ├── MfaTimedOut                 nobody submitted a code in time
        ├── MfaCodeExpired              the one-time code expired before it was entered:
        │                               send a new one
        ├── LoginRequired               the connection needs new credentials (repair)
        ├── LoginFailed                 the login ended without a session for another
        │                               reason (an untyped failure, no reason given)
        ├── PaymentDeclined             the processor declined the payment
        │   └── InsufficientFunds       … because the account lacks the funds
        ├── AmbiguousPayment            reconciliation matched more than one payment:
        │                               stop for human review, never resubmit
        ├── SettlementSftpMissing       the connection has no SFTP login for its
        │                               settlement files (settlement_sftp_ref)
        ├── HostKeyMismatch             the SFTP server's host key is not the configured
        │                               one: nothing is sent, nothing is trusted
        ├── PortalChanged               a page no longer looks as the adapter expects;
        │                               details carry the screenshot/trace artifact keys
        │                               (a payment holds for an operator instead of failing)
        ├── PaymentCancelled            an operator cancelled a payment held after its
        │                               portal changed: nothing was posted
        └── WebhookEndpointDisabled     the endpoint was disabled (by its tenant, or by a
                                        410 Gone from its receiver): stop delivering

Messages never contain secrets, card numbers or patient data: they are stored in
workflow history and shown in the Temporal UI.
"""

from __future__ import annotations

from typing import Any, ClassVar

from temporalio.exceptions import ApplicationError

from models.maintenance import PortalMaintenance


class BillBridgeError(ApplicationError):
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *details: Any) -> None:
        super().__init__(
            message, *details, type=type(self).__name__, non_retryable=not self.retryable
        )


class RetryableError(BillBridgeError):
    retryable = True


class PortalUnavailable(RetryableError):
    pass


class PortalTimeout(RetryableError):
    pass


class SessionExpired(RetryableError):
    pass


class ConfirmationMissing(RetryableError):
    pass


class WebhookNotAccepted(RetryableError):
    pass


class PortalInMaintenance(RetryableError):
    """Retryable where it escapes: the window ends. Details: ``PortalMaintenance`` fields."""

    def __init__(self, message: str, maintenance: PortalMaintenance | None = None) -> None:
        if maintenance is None:
            super().__init__(message)
        else:
            super().__init__(message, maintenance.model_dump(mode="json"))
        self.maintenance = maintenance


class NonRetryableError(BillBridgeError):
    retryable = False


class InvalidInput(NonRetryableError):
    pass


class InvalidAmount(InvalidInput):
    pass


class AmountExceedsBalance(InvalidInput):
    pass


class CardNumberRefused(InvalidInput):
    pass


class RefundExceedsNet(InvalidInput):
    pass


class PaymentNotRefundable(InvalidInput):
    pass


class IdempotencyConflict(InvalidInput):
    pass


class NotAwaitingOperator(InvalidInput):
    pass


class PlanNotEligible(InvalidInput):
    pass


class InstallmentBelowMinimum(InvalidInput):
    pass


class PlanTermTooLong(InvalidInput):
    pass


class PlanChangeRefused(InvalidInput):
    pass


class NotOffered(NonRetryableError):
    pass


class ConnectionNotFound(NonRetryableError):
    pass


class SecretNotFound(NonRetryableError):
    pass


class SecretStoreUnreadable(NonRetryableError):
    pass


class ArtifactNotFound(NonRetryableError):
    pass


class StatementNotFound(NonRetryableError):
    pass


class EstimateNotFound(NonRetryableError):
    pass


class DepositNotDue(NonRetryableError):
    pass


class DepositNotApplied(NonRetryableError):
    pass


class UnknownPaymentMethod(NonRetryableError):
    pass


class PlanNotFound(NonRetryableError):
    pass


class PlanRefused(NonRetryableError):
    pass


class BadCredentials(NonRetryableError):
    pass


class AccountLocked(NonRetryableError):
    pass


class MfaRejected(NonRetryableError):
    pass


class MfaTimedOut(NonRetryableError):
    pass


class MfaCodeExpired(NonRetryableError):
    pass


class LoginRequired(NonRetryableError):
    pass


class LoginFailed(NonRetryableError):
    pass


class PaymentDeclined(NonRetryableError):
    pass


class InsufficientFunds(PaymentDeclined):
    pass


class AmbiguousPayment(NonRetryableError):
    pass


class SettlementSftpMissing(NonRetryableError):
    pass


class HostKeyMismatch(NonRetryableError):
    pass


class PortalChanged(NonRetryableError):
    pass


class PaymentCancelled(NonRetryableError):
    pass


class WebhookEndpointDisabled(NonRetryableError):
    pass


def _all_subclasses(cls: type[BillBridgeError]) -> list[type[BillBridgeError]]:
    found: list[type[BillBridgeError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


ERROR_TYPES: dict[str, type[BillBridgeError]] = {
    cls.__name__: cls for cls in _all_subclasses(BillBridgeError)
}
NON_RETRYABLE_ERROR_TYPES: list[str] = sorted(
    name for name, cls in ERROR_TYPES.items() if not cls.retryable
)


def find_typed_failure(error: BaseException | None) -> ApplicationError | None:
    """Walk a Temporal failure's cause chain to the first BillBridge-typed ApplicationError."""
    while error is not None:
        if isinstance(error, ApplicationError) and error.type in ERROR_TYPES:
            return error
        error = error.__cause__ or getattr(error, "cause", None)
    return None


def as_typed_error(error: BaseException) -> BillBridgeError | None:
    """Rebuild the BillBridge exception class a failure carries (client side)."""
    failure = find_typed_failure(error)
    if failure is None or failure.type is None:
        return None
    return ERROR_TYPES[failure.type](failure.message)
