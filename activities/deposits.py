"""Deposit activities: the browser work of estimate-to-deposit, each step idempotent.

Reading the estimate and the deposit only look; collecting looks our reference up first
and submits only when the portal has no deposit carrying it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.connection_session import SessionLease
from models.deposits import (
    CollectDepositInput,
    CollectedDeposit,
    Deposit,
    DepositLookup,
    DepositSubmission,
    EstimateLookup,
)
from models.errors import AmbiguousPayment, NotOffered
from models.estimates import Estimate
from models.maintenance import PortalMaintenance
from portals.base import DepositTaker


class DepositActivities:
    def __init__(self, sessions: PortalSessions) -> None:
        self._sessions = sessions

    @activity.defn
    @reports_maintenance
    async def read_estimate(self, lookup: EstimateLookup) -> Estimate | PortalMaintenance:
        async with self._deposit_taker(lookup.lease) as portal:
            return await portal.get_estimate(lookup.estimate_id)

    @activity.defn
    @reports_maintenance
    async def collect_deposit(
        self, request: CollectDepositInput
    ) -> CollectedDeposit | PortalMaintenance:
        """Reconcile, then pay only if the portal has no deposit with our reference.

        Every attempt starts with the lookup, so a retry after a lost answer (crash after
        submit, a worker killed mid-submit) finds the deposit instead of charging twice.
        """
        submission = request.submission
        async with self._deposit_taker(request.lease) as portal:
            existing = await portal.find_deposit(submission.reference)
            if existing is not None:
                _check_same_deposit(existing, submission)
                activity.logger.info("deposit already collected; not resubmitting")
                return CollectedDeposit(deposit=existing, already_collected=True)
            deposit = await portal.pay_deposit(submission)
        return CollectedDeposit(deposit=deposit, already_collected=False)

    @activity.defn
    @reports_maintenance
    async def read_deposit(self, lookup: DepositLookup) -> Deposit | PortalMaintenance:
        async with self._deposit_taker(lookup.lease) as portal:
            return await portal.get_deposit(lookup.deposit_id)

    @asynccontextmanager
    async def _deposit_taker(self, lease: SessionLease) -> AsyncIterator[DepositTaker]:
        async with heartbeating(), self._sessions.signed_in(lease) as portal:
            if not isinstance(portal, DepositTaker):
                # The workflow checked the offering first; this only guards a changed adapter.
                raise NotOffered(f"connection {lease.connection_id}'s portal takes no deposits")
            yield portal


def _check_same_deposit(found: Deposit, wanted: DepositSubmission) -> None:
    if found.estimate_id != wanted.estimate_id or found.amount != wanted.amount:
        # Our reference on another deposit: a person must look before anything moves.
        raise AmbiguousPayment(
            f"the portal holds a deposit with reference {wanted.reference} that does not "
            "match this request; review it before retrying"
        )
