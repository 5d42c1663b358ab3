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
from models.errors import AmbiguousPayment
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
        """Reconcile, submit only if absent (the balance checked first), read the balance
        after and keep the receipt: one context, one restored session, one page.

        Every attempt but one resumed past the submit starts with the lookup of our
        reference, so a retry after a lost confirmation (crash after submit, worker killed
        mid-submit), a renewed session or a maintenance window finds the payment instead of
        paying twice. An attempt that got past the submit marks it in its heartbeat; the next
        attempt goes straight to the balance and the receipt.
        """
        submission = request.submission
        mark = _mark_of_last_attempt()
        async with heartbeating() as heartbeat, self._sessions.signed_in(request.lease) as portal:
            if mark is None:
                mark = await _post_once(portal, submission)
                heartbeat.mark(mark)
            else:
                activity.logger.info("resuming after the submit; not looking up again")
            balance_after = mark.balance_after
            if balance_after is None:
                balance_after = (await portal.get_statement(submission.statement_id)).balance
            receipt = await portal.download_receipt(mark.payment.confirmation_number)
        return PaidStatement(
            payment=mark.payment,
            already_posted=mark.already_posted,
            balance_after=balance_after,
            receipt=self._store_receipt(
                request.lease.connection_id, mark.payment.confirmation_number, receipt
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
                payment = (await portal.submit_payment(submission)).payment
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


async def _post_once(portal: PortalAdapter, submission: PaymentSubmission) -> PaymentMark:
    """The payment with our reference: found in the portal's history, or submitted now (the
    balance checked by the adapter first, before any money moves)."""
    existing = await portal.find_payment(submission.reference)
    if existing is not None:
        # Looked up before the balance check: our own payment has already lowered the balance.
        _check_same_payment(existing, submission)
        activity.logger.info("payment already posted; not resubmitting")
        return PaymentMark(step=PayStepReached.POSTED, payment=existing, already_posted=True)
    # The adapter checks the amount against the balance its pay form (or the statement page
    # it starts from) shows, before it fills anything in: AmountExceedsBalance.
    confirmation = await portal.submit_payment(submission)
    return PaymentMark(
        step=PayStepReached.POSTED,
        payment=confirmation.payment,
        already_posted=False,
        balance_after=confirmation.balance_after,
    )


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
