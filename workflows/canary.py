"""A connection's canary: does the portal still look as the adapter expects, before a
payment meets it?

Started by the connection's canary Schedule (``billbridge canary schedule``) or by hand
(``billbridge canary run``). It obtains a session lease like any portal workflow, so the
sign-in is exercised and its session shared with payments, then runs one read-only walk
(``CanaryActivities.walk_portal``): signed in, statements, one open statement, its pay form
up to the step that moves money.

A drift (``PortalChanged`` at sign-in or on a page, or a listed statement the portal then
lacks) raises ``connection.drift_detected`` with the step, the adapter's message and the
screenshot's and trace's artifact keys, delivered by the event fan-out as a webhook. It is
raised once per drift: the connection's last verdict is kept (``stores/canary_states.py``), a drift
already reported stays quiet until a healthy run clears it. A healthy portal is quiet; a
portal in maintenance, or no session within the bound (a person's MFA code), is neither
drift nor healthy and leaves the verdict as it was.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.canary import CanaryActivities
    from models.canary import (
        CanaryObservation,
        CanaryOutcome,
        CanaryRequest,
        CanaryResult,
        CanaryStatus,
        CanaryStep,
        CanaryWalk,
    )
    from models.connection_session import SessionLease
    from models.errors import PortalChanged
    from models.events import EventType
    from models.failure_evidence import FailureEvidence
    from models.maintenance import PortalMaintenance
    from workflows.events import Events
    from workflows.policies import READ_MODEL_ACTIVITY, SESSION_BOUND_ACTIVITY
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import failed_with


@workflow.defn
class ConnectionCanaryWorkflow:
    def __init__(self) -> None:
        self._session = SessionLeases()
        self._events = Events()

    @workflow.run
    async def run(self, request: CanaryRequest) -> CanaryResult:
        connection_id = request.connection_id
        checked_at = workflow.now()
        workflow.set_current_details(f"walking connection {connection_id}")
        try:
            await asyncio.wait_for(
                self._session.obtain(connection_id, fail_fast=True),
                timeout=request.session_wait_seconds,
            )
        except TimeoutError:
            return CanaryResult(
                connection_id=connection_id, status=CanaryStatus.NO_SESSION, checked_at=checked_at,
                message=f"no signed-in session within {request.session_wait_seconds} s",
            )  # fmt: skip
        except ApplicationError as err:
            changed = failed_with(err, PortalChanged)
            if changed is None:
                raise  # a refused password is connection.login_required, not drift
            # The sign-in's screenshot and trace, carried by the session's reply (SessionLeases).
            evidence = FailureEvidence.from_details(changed.details)
            seen = CanaryObservation(
                status=CanaryStatus.DRIFT,
                step=CanaryStep.SIGN_IN,
                message=changed.message,
                screenshot_key=evidence.screenshot_key,
                trace_key=evidence.trace_key,
            )
        else:
            seen = await self._session.run(self._walk)
        return await self._verdict(connection_id, seen, checked_at)

    async def _walk(self, lease: SessionLease) -> CanaryObservation:
        seen: CanaryObservation | PortalMaintenance = await workflow.execute_activity_method(
            CanaryActivities.walk_portal, CanaryWalk(lease=lease), **SESSION_BOUND_ACTIVITY
        )
        if isinstance(seen, PortalMaintenance):
            # Seen, not waited out: the next scheduled run looks again.
            return CanaryObservation(status=CanaryStatus.MAINTENANCE, message=seen.describe())
        return seen

    async def _verdict(
        self, connection_id: str, seen: CanaryObservation, checked_at: datetime
    ) -> CanaryResult:
        result = CanaryResult(
            connection_id=connection_id, checked_at=checked_at, **seen.model_dump()
        )
        if seen.status not in (CanaryStatus.OK, CanaryStatus.DRIFT):
            workflow.set_current_details(result.describe())
            return result
        drifted = seen.status is CanaryStatus.DRIFT
        notice = await workflow.execute_activity_method(
            CanaryActivities.note_outcome,
            CanaryOutcome(
                connection_id=connection_id, drifted=drifted, run_id=workflow.info().run_id
            ),
            **READ_MODEL_ACTIVITY,
        )
        if drifted and notice.report:
            assert seen.step is not None
            await self._events.raise_event(
                EventType.CONNECTION_DRIFT_DETECTED,
                connection_id,
                step=seen.step.value,
                message=seen.message,
                screenshot_key=seen.screenshot_key,
                trace_key=seen.trace_key,
            )
            result = result.model_copy(update={"reported": True})
        workflow.set_current_details(result.describe())
        return result
