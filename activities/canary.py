"""The canary's activities: one read-only walk of a connection's portal, and its last verdict.

``walk_portal`` goes, in one browser context on the connection's session, through what a
payment will meet: the session still signed in, the statements list, one open statement,
and its pay form up to the step that moves money (``PaymentFormInspector``); nothing is
submitted. A page that differs from what the adapter expects (``PortalChanged``, or a listed
statement the portal then does not have) is drift, returned with the step and the failure
screenshot's artifact key rather than raised, so the workflow decides whether to tell.
"""

from __future__ import annotations

import asyncio

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.canary import (
    CanaryObservation,
    CanaryOutcome,
    CanaryStatus,
    CanaryStep,
    CanaryWalk,
    DriftNotice,
)
from models.errors import PortalChanged, SessionExpired, StatementNotFound
from models.failure_evidence import FailureEvidence
from models.maintenance import PortalMaintenance
from portals.base import PaymentFormInspector, PortalAdapter, StatementLister, UnattendedSignIn
from stores.canary_states import CanaryStates


class CanaryActivities:
    def __init__(self, sessions: PortalSessions, states: CanaryStates) -> None:
        self._sessions = sessions
        self._states = states

    @activity.defn
    @reports_maintenance
    async def walk_portal(self, walk: CanaryWalk) -> CanaryObservation | PortalMaintenance:
        progress = _Progress()
        try:
            async with heartbeating(), self._sessions.signed_in(walk.lease) as portal:
                return await _walk(portal, progress)
        except (PortalChanged, StatementNotFound) as err:
            # PortalSessions put the screenshot and trace of what the browser saw in the details.
            evidence = FailureEvidence.from_details(err.details)
            return CanaryObservation(
                status=CanaryStatus.DRIFT,
                step=progress.step,
                message=err.message,
                screenshot_key=evidence.screenshot_key,
                trace_key=evidence.trace_key,
                statement_walked=progress.step is CanaryStep.PAY_FORM,
            )

    @activity.defn
    async def note_outcome(self, outcome: CanaryOutcome) -> DriftNotice:
        # The lock may wait on another worker's canary: off the event loop.
        return await asyncio.to_thread(self._states.note, outcome)


class _Progress:
    step = CanaryStep.SIGNED_IN


async def _walk(portal: PortalAdapter, progress: _Progress) -> CanaryObservation:
    if isinstance(portal, UnattendedSignIn) and not await portal.is_signed_in():
        # A fresh session is the workflow's to get (SessionLeases.run renews on this).
        raise SessionExpired("signed_in: the portal signed the session out")
    progress.step = CanaryStep.LIST_STATEMENTS
    if not isinstance(portal, StatementLister):
        return CanaryObservation(status=CanaryStatus.OK)
    listed = await portal.list_statements()
    payable = [s for s in listed if s.balance.amount_cents > 0]
    if not payable:
        return CanaryObservation(status=CanaryStatus.OK)
    progress.step = CanaryStep.OPEN_STATEMENT
    statement = await portal.get_statement(payable[0].statement_id)
    if statement.statement_id != payable[0].statement_id:
        raise PortalChanged("statement: the page shows another statement than the one opened")
    progress.step = CanaryStep.PAY_FORM
    if not isinstance(portal, PaymentFormInspector):
        return CanaryObservation(status=CanaryStatus.OK)
    await portal.inspect_payment_form(statement.statement_id)
    return CanaryObservation(status=CanaryStatus.OK, statement_walked=True)
