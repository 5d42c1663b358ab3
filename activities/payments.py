"""Payment activities: all the browser work of posting a payment, each step idempotent."""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.errors import AmbiguousPayment
from models.maintenance import PortalMaintenance
from models.payments import (
    Payment,
    PaymentSubmission,
    PostedPayment,
    PostPaymentInput,
    ReceiptRequest,
    StatementLookup,
    StoredArtifact,
)
from models.statements import Statement
from stores.artifacts import ArtifactStore


class PaymentActivities:
    def __init__(self, sessions: PortalSessions, artifacts: ArtifactStore) -> None:
        self._sessions = sessions
        self._artifacts = artifacts

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
        # Keyed by confirmation number, so a retried download overwrites the same file.
        key = f"receipts/{request.lease.connection_id}/{request.confirmation_number}.pdf"
        return self._artifacts.put(key, receipt.content, receipt.content_type)


def _check_same_payment(found: Payment, wanted: PaymentSubmission) -> None:
    if found.statement_id != wanted.statement_id or found.amount != wanted.amount:
        # Our reference on a different payment: a human must look before anything moves.
        raise AmbiguousPayment(
            f"the portal holds a payment with reference {wanted.reference} that does not "
            "match this request; review it before retrying"
        )
