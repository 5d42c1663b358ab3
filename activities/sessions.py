"""Session activities: the only browser work that signs in, driven by the session workflow.

A login that needs a person is split in two: ``begin_login`` fills in the credentials up to
the challenge and seals the pre-auth browser state; ``submit_mfa_code`` restores it, maybe
minutes later on another worker, and answers. No browser stays open in between. A login that
ends signed in leaves its context in the worker's pool under the new state, so the session's
first step (often the payment that asked for it) restores nothing.
"""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.connection_session import (
    BeginLogin,
    CodeEntry,
    CodeOutcome,
    DiscardStates,
    LoginStep,
    ResendRequest,
)
from models.maintenance import PortalMaintenance
from models.sessions import MfaChallenge


class SessionActivities:
    def __init__(self, sessions: PortalSessions) -> None:
        self._sessions = sessions

    @activity.defn
    @reports_maintenance
    async def begin_login(self, request: BeginLogin) -> LoginStep | PortalMaintenance:
        credentials = self._sessions.credentials(request.connection_id)
        async with heartbeating(), self._sessions.portal(request.connection_id) as portal:
            challenge = await portal.adapter.start_login(credentials)
            state = await portal.context.storage_state()
            state_id = self._sessions.states.save(request.connection_id, dict(state))
            if challenge is None:
                # Signed in: the session's first step (a cold payment) takes this context.
                portal.keep_signed_in(state_id)
        if challenge is None:
            return LoginStep(state_id=state_id)
        return LoginStep(preauth_state_id=state_id, challenge=challenge)

    @activity.defn
    @reports_maintenance
    async def submit_mfa_code(self, entry: CodeEntry) -> CodeOutcome | PortalMaintenance:
        async with (
            heartbeating(),
            self._sessions.portal(entry.connection_id, entry.preauth_state_id) as portal,
        ):
            accepted = await portal.adapter.submit_mfa_code(entry.code)
            if not accepted:
                return CodeOutcome(accepted=False)
            state = await portal.context.storage_state()
            state_id = self._sessions.states.save(entry.connection_id, dict(state))
            portal.keep_signed_in(state_id)
        return CodeOutcome(accepted=True, state_id=state_id)

    @activity.defn
    async def discard_states(self, request: DiscardStates) -> None:
        """Delete sealed states nobody may use any more (expired, pre-auth): fewer bearer
        credentials at rest, even encrypted ones."""
        for state_id in request.state_ids:
            self._sessions.states.discard(request.connection_id, state_id)

    @activity.defn
    @reports_maintenance
    async def resend_mfa_code(self, request: ResendRequest) -> MfaChallenge | PortalMaintenance:
        async with (
            heartbeating(),
            self._sessions.portal(request.connection_id, request.preauth_state_id) as portal,
        ):
            return await portal.adapter.resend_mfa_code()
