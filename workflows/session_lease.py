"""A business workflow's side of the session protocol: ask, wait without a slot, renew.

Any workflow that works on a portal creates one ``SessionLeases`` in its ``__init__``; it
registers the ``session_ready`` signal through which the connection's session workflow
answers once a login (perhaps waiting for a person's MFA code) has ended. Every portal
step goes through ``run``, which also waits out a maintenance window the step reports
(``PortalMaintenance``, docs/batch-windows.md) and runs it again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.session_broker import SessionBroker
    from models.card_numbers import refuse_card_numbers_in
    from models.connection_session import (
        SESSION_READY_SIGNAL,
        ObtainSession,
        SessionGrant,
        SessionLease,
        SessionReply,
    )
    from models.errors import CardNumberRefused, LoginFailed, SessionExpired
    from models.maintenance import PortalMaintenance
    from workflows.maintenance import wait_out
    from workflows.policies import OBTAIN_SESSION_ACTIVITY, SESSION_RENEWALS, SESSION_REPLY_RECHECK
    from workflows.typed_failures import failed_with, workflow_failure

T = TypeVar("T")


class SessionLeases:
    def __init__(self) -> None:
        self._reply: SessionReply | None = None
        self._lease: SessionLease | None = None
        # The window being waited out right now, for a workflow's queries to show.
        self.maintenance: PortalMaintenance | None = None
        workflow.set_signal_handler(SESSION_READY_SIGNAL, self._on_reply)

    def _on_reply(self, reply: SessionReply) -> None:
        try:
            refuse_card_numbers_in(reply, "reply")
        except CardNumberRefused:
            # Not from a session workflow; ignored, the periodic re-ask gets the real answer.
            workflow.logger.warning("ignored a session reply that carries a card number")
            return
        self._reply = reply

    async def obtain(self, connection_id: str, *, fail_fast: bool = False) -> SessionLease:
        """Wait for a signed-in session on the connection (login and MFA included)."""
        self._connection_id, self._fail_fast = connection_id, fail_fast
        self._lease = await self._ask(stale=None)
        return self._lease

    def release(self) -> None:
        """Hold no lease (a payment waiting for a person): the next ``obtain`` asks afresh,
        so a session renewed or re-signed meanwhile is the one used."""
        self._lease = None

    async def run(self, step: Callable[[SessionLease], Awaitable[T | PortalMaintenance]]) -> T:
        """Run a browser step on the session; if the portal expired it, renew and rerun; if
        the portal was in maintenance, wait for the window's end and rerun."""
        assert self._lease is not None, "obtain() a session first"
        renewals = 0
        while True:
            try:
                outcome = await step(self._lease)
            except ActivityError as err:
                if failed_with(err, SessionExpired) is None or renewals >= SESSION_RENEWALS:
                    raise
                renewals += 1
                workflow.logger.info("portal session expired; asking for a fresh one")
                self._lease = await self._ask(stale=self._lease)
                continue
            if not isinstance(outcome, PortalMaintenance):
                return outcome
            self.maintenance = outcome
            try:
                await wait_out(outcome)
            finally:
                self.maintenance = None

    async def _ask(self, stale: SessionLease | None) -> SessionLease:
        while True:
            # Cleared before asking: the reply may arrive before the activity's result does.
            self._reply = None
            grant: SessionGrant = await workflow.execute_activity_method(
                SessionBroker.obtain_session,
                ObtainSession(
                    connection_id=self._connection_id,
                    requester_workflow_id=workflow.info().workflow_id,
                    stale_state_id=stale.state_id if stale else None,
                    fail_fast=self._fail_fast,
                ),
                **OBTAIN_SESSION_ACTIVITY,
            )
            if grant.lease is not None:
                return grant.lease
            try:
                await workflow.wait_condition(
                    lambda: self._reply is not None, timeout=SESSION_REPLY_RECHECK
                )
            except TimeoutError:
                # Asking again is harmless and recovers from a session workflow that an
                # operator terminated or reset while we were registered with it.
                continue
            reply = self._reply
            assert reply is not None
            if reply.lease is not None:
                return reply.lease
            # The evidence as an activity's PortalChanged carries it, so the operator hold
            # and the canary read a changed sign-in page like a changed pay form.
            evidence = (reply.evidence.as_details(),) if reply.evidence is not None else ()
            raise workflow_failure(
                reply.error_type or LoginFailed.__name__,
                reply.error_message or "the portal login failed",
                *evidence,
            )
