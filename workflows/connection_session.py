"""One long-lived session per portal connection: logins serialized, MFA answered by people.

Business workflows ask for a signed-in session with the ``acquire`` Update (sent with
update-with-start by the ``obtain_session`` activity). It answers at once: a lease when the
session is active, else the requester is registered and a login started; when the login
ends, every registered requester gets the outcome by the ``session_ready`` signal. So twenty
payments cause one sign-in, and none of them holds an activity slot while a person reads
an SMS (slots that the login itself needs). When a code is needed and no TOTP secret is
stored, the workflow shows ``awaiting_mfa`` (query, search attributes, current details) and
waits for ``submit_mfa_code``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from temporalio import workflow
from temporalio.common import SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.sessions import SessionActivities
    from models.audit import Actor, AuditAction, unattributed
    from models.card_numbers import refuse_card_number, refuse_card_numbers_in
    from models.connection_session import (
        ACQUIRE_UPDATE,
        SESSION_READY_SIGNAL,
        SESSION_WORKFLOW,
        AcquireSession,
        BeginLogin,
        CodeEntry,
        CredentialsReplacement,
        DiscardStates,
        MfaCodeSubmission,
        MfaSubmissionResult,
        PendingChallenge,
        ResendRequest,
        SessionGrant,
        SessionLease,
        SessionReply,
        SessionStatus,
        SessionView,
        SessionWorkflowInput,
    )
    from models.errors import (
        CardNumberRefused,
        LoginRequired,
        MfaRejected,
        MfaTimedOut,
        find_typed_failure,
    )
    from workflows.audit_trail import AuditTrail
    from workflows.policies import BROWSER_ACTIVITY, FILE_ACTIVITY

CONNECTION_ATTRIBUTE = SearchAttributeKey.for_keyword("BillBridgeConnection")
AWAITING_MFA_ATTRIBUTE = SearchAttributeKey.for_bool("BillBridgeAwaitingMfa")
_CODE = re.compile(r"\d{4,8}")
_NEEDS_REPAIR = {"BadCredentials", "AccountLocked"}


@workflow.defn(name=SESSION_WORKFLOW)
class ConnectionSessionWorkflow:
    @workflow.init
    def __init__(self, start: SessionWorkflowInput) -> None:
        self._input = start
        self._state_id = start.state_id
        self._status = start.status
        self._logins = start.logins
        self._waiters = dict(start.waiters)  # requester workflow id -> fail_fast
        self._login_wanted = False  # new credentials arrived: sign in even with no waiter
        self._challenge: PendingChallenge | None = None
        self._preauth_state_id: str | None = None
        self._failure: ApplicationError | None = None  # why the last login failed
        self._obsolete: list[str] = []  # sealed states nobody may use any more
        self._last_error: str | None = None
        self._last_mfa_result: MfaSubmissionResult | None = None
        self._mfa_lock = asyncio.Lock()
        self._audit = AuditTrail()

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
                        "waiters": self._waiters,
                    }
                )
            )

    # --- messages -------------------------------------------------------------------------

    @workflow.query
    def state(self) -> SessionView:
        return SessionView(
            connection_id=self._input.connection_id,
            status=self._status,
            challenge=self._challenge,
            last_error=self._last_error,
            last_mfa_result=self._last_mfa_result,
            logins=self._logins,
            waiting_workflows=len(self._waiters),
        )

    @workflow.update(name=ACQUIRE_UPDATE)
    def acquire(self, request: AcquireSession) -> SessionGrant:
        if request.stale_state_id is not None and request.stale_state_id == self._state_id:
            self._sign_out()
        if self._status is SessionStatus.ACTIVE and self._state_id is not None:
            return SessionGrant(lease=self._lease(self._state_id))
        if self._status is SessionStatus.LOGIN_REQUIRED and request.fail_fast:
            raise self._login_required()
        self._waiters[request.requester_workflow_id] = request.fail_fast
        self._show()
        return SessionGrant()

    @acquire.validator
    def _check_acquire(self, request: AcquireSession) -> None:
        refuse_card_numbers_in(request, "request")

    @workflow.update
    async def submit_mfa_code(self, submission: MfaCodeSubmission) -> MfaSubmissionResult:
        return await self._answer(submission.code.strip(), submission.requested_by)

    @submit_mfa_code.validator
    def _check_code(self, submission: MfaCodeSubmission) -> None:
        # Rejected here, a malformed code never reaches the portal nor the history.
        refuse_card_number(submission.code, "code")
        if not _CODE.fullmatch(submission.code.strip()):
            raise ValueError("an MFA code is 4 to 8 digits")
        if self._status is not SessionStatus.AWAITING_MFA:
            raise ValueError(f"no MFA challenge is pending (session is {self._status.value})")

    @workflow.signal(name="submit_mfa_code")
    async def submit_mfa_code_signal(self, submission: MfaCodeSubmission) -> None:
        """For tools that can only signal; the outcome is read with the ``state`` query."""
        try:
            self._check_code(submission)
        except (ValueError, CardNumberRefused) as err:
            self._last_mfa_result = MfaSubmissionResult(
                accepted=False, attempts_left=self._attempts_left(), message=str(err)
            )
            return
        await self._answer(submission.code.strip(), submission.requested_by)

    @workflow.update
    async def resend_mfa_code(self) -> PendingChallenge:
        async with self._mfa_lock:
            if self._challenge is None or self._preauth_state_id is None:
                # Answered or timed out while this request waited for the lock.
                raise ApplicationError("no MFA challenge is pending", type="InvalidInput")
            fresh = await workflow.execute_activity_method(
                SessionActivities.resend_mfa_code,
                ResendRequest(
                    connection_id=self._input.connection_id,
                    preauth_state_id=self._preauth_state_id,
                ),
                **BROWSER_ACTIVITY,
            )
            self._challenge = self._challenge.model_copy(
                update={"masked_destination": fresh.masked_destination}
            )
            self._show()
            return self._challenge

    @resend_mfa_code.validator
    def _check_resend(self) -> None:
        if self._status is not SessionStatus.AWAITING_MFA:
            raise ValueError(f"no MFA challenge is pending (session is {self._status.value})")

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
            step = await workflow.execute_activity_method(
                SessionActivities.begin_login,
                BeginLogin(connection_id=self._input.connection_id),
                **BROWSER_ACTIVITY,
            )
        except ActivityError as err:
            typed = find_typed_failure(err)
            if typed is not None and typed.type in _NEEDS_REPAIR:
                # Retrying a refused password only locks the account: wait for a person.
                self._status = SessionStatus.LOGIN_REQUIRED
                self._last_error = typed.message
                self._show()
                return
            self._fail(typed or ApplicationError(str(err), type="LoginFailed"))
            return
        if step.state_id is not None:
            self._activate(step.state_id)
            return
        assert step.challenge is not None and step.preauth_state_id is not None
        await self._wait_for_person(
            step.challenge.method, step.challenge.masked_destination, step.preauth_state_id
        )

    async def _wait_for_person(
        self, method: str, masked_destination: str | None, preauth_state_id: str
    ) -> None:
        timeout = timedelta(seconds=self._input.mfa_timeout_seconds)
        self._preauth_state_id = preauth_state_id
        self._challenge = PendingChallenge(
            method=method,
            masked_destination=masked_destination,
            attempts_left=self._input.max_mfa_attempts,
            raised_at=workflow.now(),
            expires_at=workflow.now() + timeout,
        )
        self._status = SessionStatus.AWAITING_MFA
        workflow.upsert_search_attributes([AWAITING_MFA_ATTRIBUTE.value_set(True)])
        self._show()
        try:
            await workflow.wait_condition(
                lambda: self._status is not SessionStatus.AWAITING_MFA, timeout=timeout
            )
        except TimeoutError:
            # A code being checked right now still gets its answer before we give up.
            await self._mfa_lock.acquire()
            self._mfa_lock.release()
            if self._status is SessionStatus.AWAITING_MFA:
                minutes = self._input.mfa_timeout_seconds / 60
                self._fail(MfaTimedOut(f"no MFA code was submitted within {minutes:g} minutes"))
        finally:
            workflow.upsert_search_attributes([AWAITING_MFA_ATTRIBUTE.value_set(False)])
            self._challenge = None
            self._obsolete.append(preauth_state_id)
            self._preauth_state_id = None
            self._show()

    async def _answer(self, code: str, actor: Actor) -> MfaSubmissionResult:
        async with self._mfa_lock:
            if self._status is not SessionStatus.AWAITING_MFA or self._preauth_state_id is None:
                return MfaSubmissionResult(
                    accepted=False, attempts_left=0, message="no MFA challenge is pending"
                )
            method = self._challenge.method if self._challenge else None
            try:
                outcome = await workflow.execute_activity_method(
                    SessionActivities.submit_mfa_code,
                    CodeEntry(
                        connection_id=self._input.connection_id,
                        preauth_state_id=self._preauth_state_id,
                        code=code,
                    ),
                    **BROWSER_ACTIVITY,
                )
            except ActivityError as err:
                typed = find_typed_failure(err)
                if typed is not None and typed.type == "MfaCodeExpired":
                    # Not the person's fault: keep waiting for a code from a resend.
                    result = MfaSubmissionResult(
                        accepted=False,
                        attempts_left=self._attempts_left(),
                        message="the code has expired; ask for a new one (billbridge mfa resend)",
                    )
                    self._last_mfa_result = result
                    await self._audit_code(actor, "expired", method, result)
                    return result
                self._fail(typed or MfaRejected("the portal did not accept the code"))
                result = MfaSubmissionResult(
                    accepted=False, attempts_left=0, message=self._last_error or "login failed"
                )
                audited = "failed"
            else:
                result = self._record_outcome(outcome.accepted, outcome.state_id)
                audited = "accepted" if result.accepted else "rejected"
            self._last_mfa_result = result
            await self._audit_code(actor, audited, method, result)
            return result

    async def _audit_code(
        self, actor: Actor, outcome: str, method: str | None, result: MfaSubmissionResult
    ) -> None:
        """One entry per code the portal saw: who sent it and how it went, never the code."""
        await self._audit.record(
            AuditAction.MFA_CODE_SUBMITTED,
            actor,
            outcome,
            connection_id=self._input.connection_id,
            method=method,
            attempts_left=result.attempts_left,
        )

    def _record_outcome(self, accepted: bool, state_id: str | None) -> MfaSubmissionResult:
        if accepted and state_id is not None:
            self._activate(state_id)
            return MfaSubmissionResult(accepted=True, attempts_left=0, message="signed in")
        assert self._challenge is not None
        left = self._challenge.attempts_left - 1
        self._challenge = self._challenge.model_copy(update={"attempts_left": left})
        if left <= 0:
            self._fail(MfaRejected("too many wrong MFA codes; the login failed"))
            return MfaSubmissionResult(
                accepted=False, attempts_left=0, message=self._last_error or ""
            )
        self._show()
        return MfaSubmissionResult(
            accepted=False, attempts_left=left, message=f"code not accepted; {left} attempts left"
        )

    async def _answer_waiters(self) -> None:
        """Tell every registered requester how the login ended."""
        if self._status is SessionStatus.ACTIVE and self._state_id is not None:
            reply = SessionReply(lease=self._lease(self._state_id))
            answered = list(self._waiters)
        elif self._status is SessionStatus.LOGIN_REQUIRED:
            # Only those who asked to fail fast hear it; the others wait for new credentials.
            required = self._login_required()
            reply = SessionReply(error_type=required.type, error_message=required.message)
            answered = [wid for wid, fail_fast in self._waiters.items() if fail_fast]
        elif self._failure is not None:
            reply = SessionReply(error_type=self._failure.type, error_message=self._failure.message)
            answered = list(self._waiters)
        else:
            return
        for wid in answered:
            del self._waiters[wid]
        self._show()
        await asyncio.gather(*(self._reply(wid, reply) for wid in answered))

    async def _reply(self, requester_workflow_id: str, reply: SessionReply) -> None:
        try:
            await workflow.get_external_workflow_handle(requester_workflow_id).signal(
                SESSION_READY_SIGNAL, reply
            )
        except FailureError:
            # The requester finished or was terminated meanwhile: nobody left to tell.
            workflow.logger.info("session requester %s is gone", requester_workflow_id)

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

    def _attempts_left(self) -> int:
        return self._challenge.attempts_left if self._challenge else 0

    def _lease(self, state_id: str) -> SessionLease:
        return SessionLease(connection_id=self._input.connection_id, state_id=state_id)

    def _activate(self, state_id: str) -> None:
        self._state_id = state_id
        self._status = SessionStatus.ACTIVE
        self._logins += 1
        self._last_error = None
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
        self._status = SessionStatus.SIGNED_OUT
        self._state_id = None
        self._show()

    def _login_required(self) -> LoginRequired:
        return LoginRequired(
            f"connection {self._input.connection_id} needs new credentials "
            f"({self._last_error or 'the portal refused the stored ones'})"
        )

    def _show(self) -> None:
        """Current details for the Temporal UI: status only, never codes or patient data."""
        if self._status is SessionStatus.AWAITING_MFA and self._challenge is not None:
            where = (
                f" sent to {self._challenge.masked_destination}"
                if self._challenge.masked_destination
                else ""
            )
            details = (
                f"awaiting {self._challenge.method.upper()} code{where}, "
                f"expires {self._challenge.expires_at:%H:%M} UTC, "
                f"{self._challenge.attempts_left} attempts left"
            )
        elif self._status is SessionStatus.LOGIN_REQUIRED:
            details = f"login required: {self._last_error}"
        else:
            details = self._status.value.replace("_", " ")
        if self._waiters:
            details += f"; {len(self._waiters)} workflow(s) waiting"
        workflow.set_current_details(details)
