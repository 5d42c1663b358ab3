"""One long-lived session per portal connection: logins serialized, MFA answered by people.

Business workflows ask for a signed-in session with the ``acquire`` Update (sent with
update-with-start by the ``obtain_session`` activity). It answers at once: a lease when the
session is active, else the requester is registered and a login started; when the login
ends, every registered requester gets the outcome by the ``session_ready`` signal. So twenty
payments cause one sign-in, and none of them holds an activity slot while a person reads
an SMS (slots that the login itself needs). When a code is needed and no TOTP secret is
stored, the workflow shows ``awaiting_mfa`` (query, search attributes, current details) and
waits for ``submit_mfa_code``. The HTTP API opens a session with the ``open`` Update (also
by update-with-start): a login with nobody waiting for it, whose progress the caller reads
with the ``state`` query.

Events (guarded by ``workflow.patched`` for histories from before them):
``connection.mfa_required`` when a login starts waiting for a person's code,
``connection.login_required`` when the portal refuses the stored password.

This module is the login's state machine and the message handlers; the MFA challenge is
``workflows/mfa_challenge.py``, the registry of waiting workflows
``workflows/session_waiters.py``, what the UI shows ``workflows/session_details.py``.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.sessions import SessionActivities
    from models.audit import AuditAction, unattributed
    from models.card_numbers import refuse_card_numbers_in
    from models.connection_session import (
        ACQUIRE_UPDATE,
        SESSION_WORKFLOW,
        AcquireSession,
        BeginLogin,
        CredentialsReplacement,
        DiscardStates,
        LoginStep,
        MfaCodeSubmission,
        MfaSubmissionResult,
        OpenSession,
        PendingChallenge,
        SessionGrant,
        SessionLease,
        SessionReply,
        SessionStatus,
        SessionView,
        SessionWorkflowInput,
    )
    from models.errors import AccountLocked, BadCredentials, LoginFailed, LoginRequired
    from models.events import EventType
    from models.failure_evidence import FailureEvidence
    from models.maintenance import PortalMaintenance
    from models.sessions import MfaChallenge
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.maintenance import wait_out
    from workflows.mfa_challenge import MfaChallenges
    from workflows.policies import BROWSER_ACTIVITY, FILE_ACTIVITY
    from workflows.session_details import (
        AWAITING_MFA_ATTRIBUTE,
        CONNECTION_ATTRIBUTE,
        session_details,
    )
    from workflows.session_waiters import SessionWaiters
    from workflows.typed_failures import failed_with, typed_failure

__all__ = ["AWAITING_MFA_ATTRIBUTE", "CONNECTION_ATTRIBUTE", "ConnectionSessionWorkflow"]

# Retrying a refused password only locks the account: these wait for a person's repair.
_NEEDS_REPAIR = (BadCredentials, AccountLocked)

# workflow.patched ids: the events came after histories that replay without them.
MFA_REQUIRED_EVENT_PATCH = "session-mfa-required-event"
LOGIN_REQUIRED_EVENT_PATCH = "session-login-required-event"


@workflow.defn(name=SESSION_WORKFLOW)
class ConnectionSessionWorkflow:
    @workflow.init
    def __init__(self, start: SessionWorkflowInput) -> None:
        self._input = start
        self._state_id = start.state_id
        self._status = start.status
        self._logins = start.logins
        self._waiters = SessionWaiters(start.waiters)
        # New credentials arrived or the API opened the session: sign in with no waiter.
        self._login_wanted = start.login_wanted
        self._failure: ApplicationError | None = None  # why the last login failed
        self._obsolete: list[str] = []  # sealed states nobody may use any more
        self._last_error = start.last_error
        self._last_error_type = start.last_error_type
        self._last_error_evidence = start.last_error_evidence
        self._maintenance: PortalMaintenance | None = None  # the window a sign-in waits out
        self._audit = AuditTrail()
        self._events = Events()
        self._mfa = MfaChallenges(
            start,
            self._audit,
            status=lambda: self._status,
            signed_in=self._activate,
            failed=self._fail,
            changed=self._show,
        )

    @workflow.run
    async def run(self, start: SessionWorkflowInput) -> None:
        # A card number in the input fails the workflow typed, before it reaches any
        # search attribute, detail or activity.
        refuse_card_numbers_in(start, "start")
        workflow.upsert_search_attributes(
            [
                CONNECTION_ATTRIBUTE.value_set(start.connection_id),
                AWAITING_MFA_ATTRIBUTE.value_set(False),
            ]
        )
        self._show()
        while True:
            await workflow.wait_condition(lambda: self._can_log_in() or self._history_is_long())
            if self._can_log_in():
                await self._login()
                await self._answer_waiters()
                await self._discard_obsolete()
                continue
            # Waiting requests keep the run open; they finish before the history is handed on.
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(
                start.model_copy(
                    update={
                        "state_id": self._state_id,
                        "status": self._status,
                        "logins": self._logins,
                        "waiters": self._waiters.carried(),
                        "last_error": self._last_error,
                        "last_error_type": self._last_error_type,
                        "last_error_evidence": self._last_error_evidence,
                        "last_mfa_result": self._mfa.last_result,
                        "login_wanted": self._login_wanted,
                    }
                )
            )

    # --- messages -------------------------------------------------------------------------

    @workflow.query
    def state(self) -> SessionView:
        # A login asked for and about to start is shown as under way, so a caller that
        # opened the session never mistakes "not started yet" for "failed, signed out".
        status = SessionStatus.SIGNING_IN if self._can_log_in() else self._status
        return SessionView(
            connection_id=self._input.connection_id,
            status=status,
            challenge=self._mfa.challenge,
            last_error=self._last_error,
            last_error_type=self._last_error_type,
            last_error_evidence=self._last_error_evidence,
            last_mfa_result=self._mfa.last_result,
            logins=self._logins,
            waiting_workflows=len(self._waiters),
            maintenance_until=self._maintenance.until if self._maintenance else None,
        )

    @workflow.update(name=ACQUIRE_UPDATE)
    def acquire(self, request: AcquireSession) -> SessionGrant:
        if request.stale_state_id is not None and request.stale_state_id == self._state_id:
            self._sign_out()
        if self._status is SessionStatus.ACTIVE and self._state_id is not None:
            return SessionGrant(lease=self._lease(self._state_id))
        if self._status is SessionStatus.LOGIN_REQUIRED and request.fail_fast:
            raise self._login_required()
        self._waiters.register(request.requester_workflow_id, fail_fast=request.fail_fast)
        self._show()
        return SessionGrant()

    @acquire.validator
    def _check_acquire(self, request: AcquireSession) -> None:
        refuse_card_numbers_in(request, "request")

    @workflow.update(name="open")
    def open_session(self, request: OpenSession) -> SessionView:
        """Sign in if signed out, with no business workflow waiting: answers at once (the
        state, ``signing_in`` when a login was asked for). An active session, a login under
        way or one waiting for a code is left as it is; so is login_required, which only
        new credentials (``credentials_replaced``) end."""
        if self._status is SessionStatus.SIGNED_OUT:
            self._login_wanted = True
        return self.state()

    @open_session.validator
    def _check_open(self, request: OpenSession) -> None:
        refuse_card_numbers_in(request, "request")

    @workflow.update
    async def submit_mfa_code(self, submission: MfaCodeSubmission) -> MfaSubmissionResult:
        return await self._mfa.answer(submission.code.strip(), submission.requested_by)

    @submit_mfa_code.validator
    def _check_code(self, submission: MfaCodeSubmission) -> None:
        self._mfa.check_code(submission)

    @workflow.signal(name="submit_mfa_code")
    async def submit_mfa_code_signal(self, submission: MfaCodeSubmission) -> None:
        """For tools that can only signal; the outcome is read with the ``state`` query."""
        await self._mfa.answer_signal(submission)

    @workflow.update
    async def resend_mfa_code(self) -> PendingChallenge:
        return await self._mfa.resend()

    @resend_mfa_code.validator
    def _check_resend(self) -> None:
        self._mfa.check_pending()

    @workflow.update
    async def credentials_replaced(
        self, change: CredentialsReplacement | None = None
    ) -> SessionView:
        """New credentials were stored for the connection: leave login_required, sign in.

        ``change`` (who stored them) is optional so callers without it still work.
        """
        resumed = self._status is SessionStatus.LOGIN_REQUIRED
        if resumed:
            self._status = SessionStatus.SIGNED_OUT
            self._last_error = None
            self._last_error_type = None
            self._last_error_evidence = None
            self._login_wanted = True
            self._show()
        await self._audit.record(
            AuditAction.CREDENTIALS_REPLACED,
            change.requested_by if change is not None else unattributed(),
            "login_resumed" if resumed else "stored",
            connection_id=self._input.connection_id,
        )
        return self.state()

    # --- login ----------------------------------------------------------------------------

    async def _login(self) -> None:
        self._login_wanted = False
        self._failure = None
        self._status = SessionStatus.SIGNING_IN
        self._show()
        try:
            step = await self._begin_login()
        except ActivityError as err:
            refused = failed_with(err, *_NEEDS_REPAIR)
            if refused is not None:
                self._status = SessionStatus.LOGIN_REQUIRED
                self._last_error = refused.message
                self._last_error_type = refused.type
                self._last_error_evidence = None
                self._show()
                if workflow.patched(LOGIN_REQUIRED_EVENT_PATCH):
                    await self._events.raise_event(
                        EventType.CONNECTION_LOGIN_REQUIRED,
                        self._input.connection_id,
                        error_type=refused.type,
                    )
                return
            self._fail(typed_failure(err) or LoginFailed(str(err)))
            return
        if step.state_id is not None:
            self._activate(step.state_id)
            return
        assert step.challenge is not None and step.preauth_state_id is not None
        self._status = SessionStatus.AWAITING_MFA
        announced = self._announce_mfa(step.challenge)
        try:
            await self._mfa.wait_for_code(step.challenge, step.preauth_state_id)
        finally:
            self._obsolete.append(step.preauth_state_id)
            if announced is not None:
                await announced

    def _announce_mfa(self, challenge: MfaChallenge) -> asyncio.Task[None] | None:
        """Raise ``connection.mfa_required`` beside the wait, not before it: a code sent
        while the event is written must find the challenge already shown and waiting."""
        if not workflow.patched(MFA_REQUIRED_EVENT_PATCH):
            return None
        return asyncio.create_task(
            self._events.raise_event(
                EventType.CONNECTION_MFA_REQUIRED,
                self._input.connection_id,
                method=challenge.method.value,
                masked_destination=challenge.masked_destination,
                expires_in_seconds=self._input.mfa_timeout_seconds,
                attempts=self._input.max_mfa_attempts,
            )
        )

    async def _begin_login(self) -> LoginStep:
        """The password step; a portal in maintenance is waited out (waiters stay waiting)."""
        while True:
            step: LoginStep | PortalMaintenance = await workflow.execute_activity_method(
                SessionActivities.begin_login,
                BeginLogin(connection_id=self._input.connection_id),
                **BROWSER_ACTIVITY,
            )
            if not isinstance(step, PortalMaintenance):
                return step
            self._maintenance = step
            self._show()
            try:
                await wait_out(step)
            finally:
                self._maintenance = None
                self._show()

    async def _answer_waiters(self) -> None:
        """Tell every registered requester how the login ended."""
        if self._status is SessionStatus.ACTIVE and self._state_id is not None:
            reply = SessionReply(lease=self._lease(self._state_id))
            answered = self._waiters.take_all()
        elif self._status is SessionStatus.LOGIN_REQUIRED:
            # Only those who asked to fail fast hear it; the others wait for new credentials.
            required = self._login_required()
            reply = SessionReply(error_type=required.type, error_message=required.message)
            answered = self._waiters.take_fail_fast()
        elif self._failure is not None:
            # Only the signal's payload grows (same command, same order): old histories
            # replay, and a requester's older code ignores the field.
            evidence = FailureEvidence.from_details(self._failure.details)
            reply = SessionReply(
                error_type=self._failure.type,
                error_message=self._failure.message,
                evidence=evidence if evidence.kept() else None,
            )
            answered = self._waiters.take_all()
        else:
            return
        self._show()
        await self._waiters.tell(answered, reply)

    async def _discard_obsolete(self) -> None:
        if not self._obsolete:
            return
        obsolete, self._obsolete = self._obsolete, []
        await workflow.execute_activity_method(
            SessionActivities.discard_states,
            DiscardStates(connection_id=self._input.connection_id, state_ids=obsolete),
            **FILE_ACTIVITY,
        )

    # --- state ----------------------------------------------------------------------------

    def _can_log_in(self) -> bool:
        wanted = self._login_wanted or bool(self._waiters)
        return wanted and self._status is SessionStatus.SIGNED_OUT

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._input.history_limit
        )

    def _lease(self, state_id: str) -> SessionLease:
        return SessionLease(connection_id=self._input.connection_id, state_id=state_id)

    def _activate(self, state_id: str) -> None:
        self._state_id = state_id
        self._status = SessionStatus.ACTIVE
        self._logins += 1
        self._last_error = None
        self._last_error_type = None
        self._last_error_evidence = None
        self._show()

    def _sign_out(self) -> None:
        if self._state_id is not None:
            self._obsolete.append(self._state_id)
        self._state_id = None
        self._status = SessionStatus.SIGNED_OUT
        self._show()

    def _fail(self, failure: ApplicationError) -> None:
        self._failure = failure
        self._last_error = failure.message
        self._last_error_type = failure.type
        evidence = FailureEvidence.from_details(failure.details)
        self._last_error_evidence = evidence if evidence.kept() else None
        self._status = SessionStatus.SIGNED_OUT
        self._state_id = None
        self._show()

    def _login_required(self) -> LoginRequired:
        return LoginRequired(
            f"connection {self._input.connection_id} needs new credentials "
            f"({self._last_error or 'the portal refused the stored ones'})"
        )

    def _show(self) -> None:
        workflow.set_current_details(
            session_details(
                self._status,
                self._mfa.challenge,
                self._last_error,
                len(self._waiters),
                maintenance=self._maintenance,
            )
        )
