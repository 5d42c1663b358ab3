"""Payment activities: all the browser work of posting a payment, idempotent.

``pay_statement`` is the whole payment in one browser context (runs from
"one-payment-activity" on); ``check_statement``, ``post_payment`` and ``download_receipt``
are its three steps as activities of their own, kept for the runs started before it.
"""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.errors import AmbiguousPayment, AmountExceedsBalance
from models.maintenance import PortalMaintenance
from models.payments import (
    PaidStatement,
    Payment,
    PaymentMark,
    PaymentSubmission,
    PayStatementInput,
    PayStepReached,
    PostedPayment,
    PostPaymentInput,
    ReceiptFile,
    ReceiptRequest,
    StatementLookup,
    StoredArtifact,
)
from models.statements import Statement
from portals.base import PortalAdapter
from stores.artifacts import ArtifactStore


class PaymentActivities:
    def __init__(self, sessions: PortalSessions, artifacts: ArtifactStore) -> None:
        self._sessions = sessions
        self._artifacts = artifacts

    @activity.defn
    @reports_maintenance
    async def pay_statement(self, request: PayStatementInput) -> PaidStatement | PortalMaintenance:
        """Check the statement, reconcile, submit only if absent, read the balance after and
        keep the receipt: one context, one restored session, one page.

        Every attempt but one resumed past the submit starts with the lookup of our
        reference, so a retry after a lost confirmation (crash after submit, worker killed
        mid-submit), a renewed session or a maintenance window finds the payment instead of
        paying twice. An attempt that got past the submit marks it in its heartbeat; the next
        attempt goes straight to the balance and the receipt.
        """
        submission = request.submission
        resumed = _mark_of_last_attempt()
        async with heartbeating() as heartbeat, self._sessions.signed_in(request.lease) as portal:
            if resumed is None:
                payment, already_posted = await _post_once(portal, submission)
                heartbeat.mark(
                    PaymentMark(
                        step=PayStepReached.POSTED, payment=payment, already_posted=already_posted
                    )
                )
            else:
                activity.logger.info("resuming after the submit; not looking up again")
                payment, already_posted = resumed.payment, resumed.already_posted
            statement = await portal.get_statement(submission.statement_id)
            receipt = await portal.download_receipt(payment.confirmation_number)
        return PaidStatement(
            payment=payment,
            already_posted=already_posted,
            balance_after=statement.balance,
            receipt=self._store_receipt(
                request.lease.connection_id, payment.confirmation_number, receipt
            ),
        )

    def _store_receipt(
        self, connection_id: str, confirmation_number: str, receipt: ReceiptFile
    ) -> StoredArtifact:
        # Keyed by confirmation number, so a retried download overwrites the same file.
        key = f"receipts/{connection_id}/{confirmation_number}.pdf"
        return self._artifacts.put(key, receipt.content, receipt.content_type)

    @activity.defn
    @reports_maintenance
    async def check_statement(self, lookup: StatementLookup) -> Statement | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await portal.get_statement(lookup.statement_id)

    @activity.defn
    @reports_maintenance
    async def post_payment(self, request: PostPaymentInput) -> PostedPayment | PortalMaintenance:
        """Reconcile, then submit only if the portal has no payment with our reference.

        Every attempt starts with the lookup, so a retry after a lost confirmation (crash
        after submit, worker killed mid-submit) finds the payment instead of paying twice;
        so does the rerun after a maintenance window met on the way.
        """
        submission = request.submission
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            existing = await portal.find_payment(submission.reference)
            if existing is not None:
                _check_same_payment(existing, submission)
                activity.logger.info("payment already posted; not resubmitting")
                payment = existing
            else:
                payment = await portal.submit_payment(submission)
            statement = await portal.get_statement(submission.statement_id)
        return PostedPayment(
            payment=payment, already_posted=existing is not None, balance_after=statement.balance
        )

    @activity.defn
    @reports_maintenance
    async def download_receipt(self, request: ReceiptRequest) -> StoredArtifact | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            receipt = await portal.download_receipt(request.confirmation_number)
        return self._store_receipt(
            request.lease.connection_id, request.confirmation_number, receipt
        )


async def _post_once(portal: PortalAdapter, submission: PaymentSubmission) -> tuple[Payment, bool]:
    """The payment with our reference: found in the portal's history, or submitted now (the
    balance checked first, before any money moves). True when it was found."""
    statement = await portal.get_statement(submission.statement_id)
    existing = await portal.find_payment(submission.reference)
    if existing is not None:
        # Found before the balance check: our own payment has already lowered the balance.
        _check_same_payment(existing, submission)
        activity.logger.info("payment already posted; not resubmitting")
        return existing, True
    if submission.amount.amount_cents > statement.balance.amount_cents:
        raise AmountExceedsBalance(
            f"amount {submission.amount} exceeds the balance due {statement.balance} "
            f"on statement {submission.statement_id}"
        )
    return await portal.submit_payment(submission), False


def _mark_of_last_attempt() -> PaymentMark | None:
    details = activity.info().heartbeat_details
    if not details:
        return None
    # Decoded without a type hint: the mark arrives as its JSON object.
    return PaymentMark.model_validate(details[0])


def _check_same_payment(found: Payment, wanted: PaymentSubmission) -> None:
    if found.statement_id != wanted.statement_id or found.amount != wanted.amount:
        # Our reference on a different payment: a human must look before anything moves.
        raise AmbiguousPayment(
            f"the portal holds a payment with reference {wanted.reference} that does not "
            "match this request; review it before retrying"
        )
