"""Refund activities: the browser work of a void or refund, each step idempotent."""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.errors import AmbiguousPayment, NotOffered, PaymentNotRefundable, RefundExceedsNet
from models.maintenance import PortalMaintenance
from models.refunds import (
    PaymentLookup,
    Refund,
    RefundablePayment,
    RefundKind,
    RefundOption,
    RefundSubmission,
    SubmitRefundInput,
    SubmittedRefund,
)
from portals.base import PortalAdapter, Refunder


class RefundActivities:
    def __init__(self, sessions: PortalSessions) -> None:
        self._sessions = sessions

    @activity.defn
    @reports_maintenance
    async def read_refundable_payment(
        self, lookup: PaymentLookup
    ) -> RefundablePayment | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await _refunder(portal).refundable_payment(lookup.confirmation_number)

    @activity.defn
    @reports_maintenance
    async def submit_refund(
        self, request: SubmitRefundInput
    ) -> SubmittedRefund | PortalMaintenance:
        """Reconcile by reference, re-read what is left of the payment, then submit.

        Every attempt starts with the lookup, so a retry after a lost answer (crash after
        submit, a worker killed mid-submit) finds the reversal instead of refunding twice.
        The net paid is read again right before the submit: the workflow's earlier reading
        may be minutes old.
        """
        submission = request.submission
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            refunder = _refunder(portal)
            existing = await refunder.find_refund(submission.reference)
            if existing is not None:
                check_same_refund(existing, submission)
                activity.logger.info("refund already in the portal; not resubmitting")
                refund = existing
            else:
                check_still_allowed(
                    await refunder.refundable_payment(submission.confirmation_number), submission
                )
                if submission.kind is RefundKind.VOID:
                    refund = await refunder.void_payment(submission)
                else:
                    refund = await refunder.refund_payment(submission)
            after = await refunder.refundable_payment(submission.confirmation_number)
        return SubmittedRefund(
            refund=refund, already_refunded=existing is not None, net_paid_after=after.net_paid
        )


def _refunder(portal: PortalAdapter) -> Refunder:
    if not isinstance(portal, Refunder):
        # The workflow checks the offering first; this guards a connection changed meanwhile.
        raise NotOffered(f"{type(portal).__name__} does not offer refunds")
    return portal


def check_still_allowed(state: RefundablePayment, wanted: RefundSubmission) -> None:
    expected = RefundOption.VOID if wanted.kind is RefundKind.VOID else RefundOption.REFUND
    if state.option is not expected:
        raise PaymentNotRefundable(
            f"payment {wanted.confirmation_number} no longer offers a {wanted.kind.value} "
            f"(the portal offers: {state.option.value}); nothing was submitted"
        )
    if wanted.amount.amount_cents > state.net_paid.amount_cents:
        raise RefundExceedsNet(
            f"refund {wanted.amount} exceeds what is left of payment "
            f"{wanted.confirmation_number} ({state.net_paid}); nothing was submitted"
        )


def check_same_refund(found: Refund, wanted: RefundSubmission) -> None:
    if (
        found.confirmation_number != wanted.confirmation_number
        or found.kind is not wanted.kind
        or found.amount != wanted.amount
    ):
        # Our reference on a different reversal: a human must look before anything moves.
        raise AmbiguousPayment(
            f"the portal holds a {found.kind.value} with reference {wanted.reference} that "
            "does not match this request; review it before retrying"
        )
