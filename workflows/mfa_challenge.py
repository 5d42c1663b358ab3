"""A login's person in the loop: the pending MFA challenge, the codes sent for it, resends.

The session workflow owns the login's status; this part shows the challenge, checks each
code with the portal (one at a time) and tells the session how the login ended through the
callbacks it was given. Every code the portal saw is audited: who sent it, never the code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.sessions import SessionActivities
    from models.audit import Actor, AuditAction
    from models.card_numbers import refuse_card_number
    from models.connection_session import (
        MALFORMED_CODE,
        CodeEntry,
        MfaCodeSubmission,
        MfaSubmissionResult,
        PendingChallenge,
        ResendRequest,
        SessionStatus,
        SessionWorkflowInput,
    )
    from models.errors import (
        CardNumberRefused,
        InvalidInput,
        MfaCodeExpired,
        MfaRejected,
        MfaTimedOut,
        PortalInMaintenance,
    )
    from models.maintenance import PortalMaintenance
    from models.sessions import MfaChallenge
    from workflows.audit_trail import AuditTrail
    from workflows.policies import BROWSER_ACTIVITY
    from workflows.session_details import AWAITING_MFA_ATTRIBUTE
    from workflows.typed_failures import failed_with, typed_failure


class MfaChallenges:
    def __init__(
        self,
        start: SessionWorkflowInput,
        audit: AuditTrail,
        *,
        status: Callable[[], SessionStatus],
        signed_in: Callable[[str], None],
        failed: Callable[[ApplicationError], None],
        changed: Callable[[], None],
    ) -> None:
        self._input = start
        self._audit = audit
        self._status = status
        self._signed_in = signed_in
        self._failed = failed
        self._changed = changed
        self.challenge: PendingChallenge | None = None
        self.last_result = start.last_mfa_result
        self._preauth_state_id: str | None = None
        self._lock = asyncio.Lock()

    # --- waiting ----------------------------------------------------------------------------

    async def wait_for_code(self, raised: MfaChallenge, preauth_state_id: str) -> None:
        """Show the challenge and wait (status ``awaiting_mfa``) until the login ends."""
        timeout = timedelta(seconds=self._input.mfa_timeout_seconds)
        self._preauth_state_id = preauth_state_id
        self.challenge = PendingChallenge(
            method=raised.method,
            masked_destination=raised.masked_destination,
            attempts_left=self._input.max_mfa_attempts,
            raised_at=workflow.now(),
            expires_at=workflow.now() + timeout,
        )
        workflow.upsert_search_attributes([AWAITING_MFA_ATTRIBUTE.value_set(True)])
        self._changed()
        try:
            await workflow.wait_condition(
                lambda: self._status() is not SessionStatus.AWAITING_MFA, timeout=timeout
            )
        except TimeoutError:
            # A code being checked right now still gets its answer before we give up.
            await self._lock.acquire()
            self._lock.release()
            if self._status() is SessionStatus.AWAITING_MFA:
                minutes = self._input.mfa_timeout_seconds / 60
                self._failed(MfaTimedOut(f"no MFA code was submitted within {minutes:g} minutes"))
        finally:
            workflow.upsert_search_attributes([AWAITING_MFA_ATTRIBUTE.value_set(False)])
            self.challenge = None
            self._preauth_state_id = None
            self._changed()

    # --- codes ------------------------------------------------------------------------------

    def check_code(self, submission: MfaCodeSubmission) -> None:
        """The Update's validator: a malformed code never reaches the portal nor the history."""
        refuse_card_number(submission.code, "code")
        if not submission.is_well_formed():
            raise ValueError(MALFORMED_CODE)
        self.check_pending()

    def check_pending(self) -> None:
        status = self._status()
        if status is not SessionStatus.AWAITING_MFA:
            raise ValueError(f"no MFA challenge is pending (session is {status.value})")

    async def answer_signal(self, submission: MfaCodeSubmission) -> None:
        """For tools that can only signal; the outcome is read with the ``state`` query."""
        try:
            self.check_code(submission)
        except (ValueError, CardNumberRefused) as err:
            self.last_result = MfaSubmissionResult(
                accepted=False,
                attempts_left=self._attempts_left(),
                message=str(err),
                failure_type=InvalidInput.__name__,
            )
            return
        await self.answer(submission.code.strip(), submission.requested_by)

    async def answer(self, code: str, actor: Actor) -> MfaSubmissionResult:
        async with self._lock:
            if self._status() is not SessionStatus.AWAITING_MFA or self._preauth_state_id is None:
                return MfaSubmissionResult(
                    accepted=False,
                    attempts_left=0,
                    message="no MFA challenge is pending",
                    failure_type=InvalidInput.__name__,
                )
            method = self.challenge.method if self.challenge else None
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
                if failed_with(err, MfaCodeExpired) is not None:
                    # Not the person's fault: keep waiting for a code from a resend.
                    result = MfaSubmissionResult(
                        accepted=False,
                        attempts_left=self._attempts_left(),
                        message="the code has expired; ask for a new one (billbridge mfa resend)",
                        failure_type=MfaCodeExpired.__name__,
                    )
                    self.last_result = result
                    await self._audit_code(actor, "expired", method, result)
                    return result
                failure = typed_failure(err) or MfaRejected("the portal did not accept the code")
                self._failed(failure)
                result = MfaSubmissionResult(
                    accepted=False,
                    attempts_left=0,
                    message=failure.message or "login failed",
                    failure_type=failure.type,
                )
                audited = "failed"
            else:
                if isinstance(outcome, PortalMaintenance):
                    # The portal never saw the code: not an attempt; the challenge stays.
                    result = MfaSubmissionResult(
                        accepted=False,
                        attempts_left=self._attempts_left(),
                        message=f"{outcome.describe()}; submit the code again after it",
                        failure_type=PortalInMaintenance.__name__,
                    )
                    audited = "portal_in_maintenance"
                else:
                    result = self._count(outcome.accepted, outcome.state_id)
                    audited = "accepted" if result.accepted else "rejected"
            self.last_result = result
            await self._audit_code(actor, audited, method, result)
            return result

    async def resend(self) -> PendingChallenge:
        async with self._lock:
            if self.challenge is None or self._preauth_state_id is None:
                # Answered or timed out while this request waited for the lock.
                raise ApplicationError("no MFA challenge is pending", type=InvalidInput.__name__)
            fresh = await workflow.execute_activity_method(
                SessionActivities.resend_mfa_code,
                ResendRequest(
                    connection_id=self._input.connection_id,
                    preauth_state_id=self._preauth_state_id,
                ),
                **BROWSER_ACTIVITY,
            )
            if isinstance(fresh, PortalMaintenance):
                # Fails this Update only; the challenge stays pending.
                raise PortalInMaintenance(f"resend: {fresh.describe()}", fresh)
            self.challenge = self.challenge.model_copy(
                update={"masked_destination": fresh.masked_destination}
            )
            self._changed()
            return self.challenge

    def _count(self, accepted: bool, state_id: str | None) -> MfaSubmissionResult:
        """The portal's verdict on one code: signed in, or one attempt fewer."""
        if accepted and state_id is not None:
            self._signed_in(state_id)
            return MfaSubmissionResult(accepted=True, attempts_left=0, message="signed in")
        assert self.challenge is not None
        left = self.challenge.attempts_left - 1
        self.challenge = self.challenge.model_copy(update={"attempts_left": left})
        if left <= 0:
            failure = MfaRejected("too many wrong MFA codes; the login failed")
            self._failed(failure)
            return MfaSubmissionResult(
                accepted=False,
                attempts_left=0,
                message=failure.message,
                failure_type=MfaRejected.__name__,
            )
        self._changed()
        return MfaSubmissionResult(
            accepted=False,
            attempts_left=left,
            message=f"code not accepted; {left} attempts left",
            failure_type=MfaRejected.__name__,
        )

    def _attempts_left(self) -> int:
        return self.challenge.attempts_left if self.challenge else 0

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
