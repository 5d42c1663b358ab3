"""Plan activities: the browser work of a payment plan, each step idempotent.

Enrollment looks our reference up first, so a retry after a lost answer finds the plan
instead of enrolling twice; reads are harmless to repeat, and the changes set a state
(paused, this token, this amount) that a retry sets again to the same.
"""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.connection_session import SessionLease
from models.connections import PortalName
from models.errors import AmbiguousPayment, NotOffered
from models.maintenance import PortalMaintenance
from models.plan_enrollment import (
    ChangePlanInput,
    EnrolledPlan,
    EnrollPlanInput,
    PlanEligibility,
    PlanEligibilityLookup,
    PlanLookup,
)
from models.plans import PaymentPlan, PlanEnrollment
from portals import adapter_class
from portals.base import PlanManager, PlanPauser, PortalAdapter


class PlanActivities:
    def __init__(self, sessions: PortalSessions) -> None:
        self._sessions = sessions

    @activity.defn
    @reports_maintenance
    async def plan_eligibility(
        self, lookup: PlanEligibilityLookup
    ) -> PlanEligibility | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            plans = _plans(portal, lookup.lease)
            rules = await plans.plan_rules(lookup.statement_id)
        return PlanEligibility(
            rules=rules, portal=_portal_name(portal), pausable=isinstance(portal, PlanPauser)
        )

    @activity.defn
    @reports_maintenance
    async def enroll_plan(self, request: EnrollPlanInput) -> EnrolledPlan | PortalMaintenance:
        """Reconcile, then enroll only if the portal has no plan with our reference."""
        enrollment = request.enrollment
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            plans = _plans(portal, request.lease)
            existing = await plans.find_plan(enrollment.reference)
            if existing is not None:
                _check_same_plan(existing, enrollment)
                activity.logger.info("plan already enrolled; not enrolling again")
                return EnrolledPlan(plan=existing, already_enrolled=True)
            plan = await plans.enroll_plan(enrollment)
        return EnrolledPlan(plan=plan, already_enrolled=False)

    @activity.defn
    @reports_maintenance
    async def read_plan(self, lookup: PlanLookup) -> PaymentPlan | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await _plans(portal, lookup.lease).get_plan(lookup.plan_id)

    @activity.defn
    @reports_maintenance
    async def change_plan(self, request: ChangePlanInput) -> PaymentPlan | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            return await _plans(portal, request.lease).change_plan(request.plan_id, request.change)

    @activity.defn
    @reports_maintenance
    async def cancel_plan(self, lookup: PlanLookup) -> PaymentPlan | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await _plans(portal, lookup.lease).cancel_plan(lookup.plan_id)

    @activity.defn
    @reports_maintenance
    async def pause_plan(self, lookup: PlanLookup) -> PaymentPlan | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await _pauser(portal, lookup.lease).pause_plan(lookup.plan_id)

    @activity.defn
    @reports_maintenance
    async def resume_plan(self, lookup: PlanLookup) -> PaymentPlan | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return await _pauser(portal, lookup.lease).resume_plan(lookup.plan_id)


def _plans(portal: PortalAdapter, lease: SessionLease) -> PlanManager:
    if not isinstance(portal, PlanManager):
        raise NotOffered(
            f"{_portal_name(portal)} does not offer payment plans; connection {lease.connection_id}"
        )
    return portal


def _pauser(portal: PortalAdapter, lease: SessionLease) -> PlanPauser:
    if not isinstance(portal, PlanPauser):
        raise NotOffered(
            f"{_portal_name(portal)} does not offer pausing payment plans; "
            f"connection {lease.connection_id}"
        )
    return portal


def _portal_name(portal: PortalAdapter) -> str:
    named = [name for name in PortalName if adapter_class(name) is type(portal)]
    return str(named[0]) if named else type(portal).__name__


def _check_same_plan(found: PaymentPlan, wanted: PlanEnrollment) -> None:
    if (
        found.statement_id != wanted.statement_id
        or found.installment_amount != wanted.installment_amount
    ):
        # Our reference on a different plan: a human must look before anything moves.
        raise AmbiguousPayment(
            f"the portal holds a plan with reference {wanted.reference} that does not match "
            "this enrollment; review it before retrying"
        )
