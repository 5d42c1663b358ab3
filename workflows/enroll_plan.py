"""Enrolling a payment plan with autopay, exactly once, and following it for its whole life.

After enrollment the workflow sleeps on a durable timer to each draft date, then checks in
the portal that the installment was drafted; failed drafts are followed on the portal's
retry schedule until the plan is paid off, cancelled or delinquent. It continues as new
after each drafted installment, so a 60-month plan keeps a small history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.plans import PlanActivities
    from models.audit import Actor, AuditAction, AuditDetail, last4
    from models.connection_session import SessionLease
    from models.events import EventType
    from models.money import Money
    from models.offerings import Process
    from models.plan_eligibility import check_enrollment
    from models.plan_enrollment import (
        ChangePlanInput,
        EnrolledPlan,
        EnrollPlanInput,
        EnrollPlanRequest,
        InstallmentChange,
        NextDraft,
        PaymentMethodChange,
        PlanAction,
        PlanBalance,
        PlanCarryOver,
        PlanEligibility,
        PlanEligibilityLookup,
        PlanLookup,
        PlanOutcome,
        PlanProgress,
        PlanSchedule,
        PlanStep,
        PlanView,
    )
    from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules, PlanStatus
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.offerings import require_offered
    from workflows.plan_changes import (
        check_amount_change,
        check_cancel,
        check_method_change,
        check_pause,
        check_resume,
        enrolled_plan,
    )
    from workflows.plan_details import describe_plan
    from workflows.plan_drafts import (
        due_installment,
        expected_draft_date,
        first_check_at,
        newly_drafted,
        next_check_at,
        unreported_failures,
    )
    from workflows.policies import SESSION_BOUND_ACTIVITY
    from workflows.references import client_reference
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import (
        failing_typed,
        failure_type,
        typed_failure,
        workflow_failure,
    )

T = TypeVar("T")
_ENDED = (PlanStatus.PAID_OFF, PlanStatus.CANCELLED, PlanStatus.DELINQUENT)


@workflow.defn
class EnrollPlanWorkflow:
    def __init__(self) -> None:
        self._progress = PlanProgress(step=PlanStep.VALIDATING)
        self._session = SessionLeases()
        self._session_ready = False
        self._portal_lock = asyncio.Lock()
        self._audit = AuditTrail()
        self._events = Events()
        self._request: EnrollPlanRequest | None = None
        self._rules: PlanRules | None = None
        self._portal = ""
        self._pausable = False
        self._plan: PaymentPlan | None = None
        self._already_enrolled = False
        self._reported_failures: dict[int, int] = {}
        self._drafted_reported: list[int] = []
        self._runs = 1
        self._drafted_at_start = 0
        self._changes = 0  # bumped by every applied Update: wakes the follower
        self._next_check_at: datetime | None = None

    # --- queries ---------------------------------------------------------------------------

    @workflow.query
    def progress(self) -> PlanProgress:
        return self._progress

    @workflow.query
    def plan(self) -> PlanView:
        return self._view()

    @workflow.query
    def schedule(self) -> PlanSchedule:
        return PlanSchedule(installments=list(self._plan.installments) if self._plan else [])

    @workflow.query
    def next_draft(self) -> NextDraft:
        return self._next_draft()

    @workflow.query
    def balance(self) -> PlanBalance:
        return self._balance()

    # --- Updates: validators refuse what the plan's state or the rules do not allow, so an
    # invalid change never reaches history; handlers check again once they hold the portal.

    @workflow.update
    async def pause(self, action: PlanAction) -> PlanView:
        return await self._apply(
            AuditAction.PLAN_PAUSED,
            action.requested_by,
            lambda plan: check_pause(action, plan, self._portal, self._pausable),
            lambda lease, plan_id: workflow.execute_activity_method(
                PlanActivities.pause_plan,
                PlanLookup(lease=lease, plan_id=plan_id),
                **SESSION_BOUND_ACTIVITY,
            ),
        )

    @pause.validator
    def _validate_pause(self, action: PlanAction) -> None:
        check_pause(action, self._enrolled(), self._portal, self._pausable)

    @workflow.update
    async def resume(self, action: PlanAction) -> PlanView:
        return await self._apply(
            AuditAction.PLAN_RESUMED,
            action.requested_by,
            lambda plan: check_resume(action, plan, self._portal, self._pausable),
            lambda lease, plan_id: workflow.execute_activity_method(
                PlanActivities.resume_plan,
                PlanLookup(lease=lease, plan_id=plan_id),
                **SESSION_BOUND_ACTIVITY,
            ),
        )

    @resume.validator
    def _validate_resume(self, action: PlanAction) -> None:
        check_resume(action, self._enrolled(), self._portal, self._pausable)

    @workflow.update
    async def cancel(self, action: PlanAction) -> PlanView:
        return await self._apply(
            AuditAction.PLAN_CANCELLED,
            action.requested_by,
            lambda plan: check_cancel(action, plan),
            lambda lease, plan_id: workflow.execute_activity_method(
                PlanActivities.cancel_plan,
                PlanLookup(lease=lease, plan_id=plan_id),
                **SESSION_BOUND_ACTIVITY,
            ),
        )

    @cancel.validator
    def _validate_cancel(self, action: PlanAction) -> None:
        check_cancel(action, self._enrolled())

    @workflow.update
    async def change_payment_method(self, change: PaymentMethodChange) -> PlanView:
        token = change.payment_method_token
        return await self._apply(
            AuditAction.PLAN_CHANGED,
            change.requested_by,
            lambda plan: check_method_change(change, plan, token),
            lambda lease, plan_id: workflow.execute_activity_method(
                PlanActivities.change_plan,
                ChangePlanInput(
                    lease=lease, plan_id=plan_id, change=PlanChange(payment_method_token=token)
                ),
                **SESSION_BOUND_ACTIVITY,
            ),
            method_last4=last4(token),
        )

    @change_payment_method.validator
    def _validate_method_change(self, change: PaymentMethodChange) -> None:
        check_method_change(change, self._enrolled(), change.payment_method_token)

    @workflow.update
    async def change_installment_amount(self, change: InstallmentChange) -> PlanView:
        cents = change.installment_amount_cents
        amount = Money(amount_cents=cents, currency=self._enrolled().installment_amount.currency)
        return await self._apply(
            AuditAction.PLAN_CHANGED,
            change.requested_by,
            lambda plan: check_amount_change(change, plan, self._known_rules(), cents),
            lambda lease, plan_id: workflow.execute_activity_method(
                PlanActivities.change_plan,
                ChangePlanInput(
                    lease=lease, plan_id=plan_id, change=PlanChange(installment_amount=amount)
                ),
                **SESSION_BOUND_ACTIVITY,
            ),
            installment_amount_cents=cents,
        )

    @change_installment_amount.validator
    def _validate_amount_change(self, change: InstallmentChange) -> None:
        plan = self._enrolled()
        check_amount_change(change, plan, self._known_rules(), change.installment_amount_cents)

    async def _apply(
        self,
        action: AuditAction,
        actor: Actor,
        check: Callable[[PaymentPlan], None],
        change: Callable[[SessionLease, str], Awaitable[PaymentPlan]],
        **details: AuditDetail,
    ) -> PlanView:
        request = self._request
        assert request is not None
        async with self._portal_lock:
            plan = self._enrolled()
            check(plan)  # again: the plan may have moved since the validator ran
            self._advance(PlanStep.CHANGING, f"{action.value} on plan {plan.plan_id}")
            try:
                updated = await self._portal_step(lambda lease: change(lease, plan.plan_id))
            except ActivityError as err:
                # The Update fails typed; the plan itself goes on as it was.
                self._changes += 1
                typed = typed_failure(err)
                if typed is None or typed.type is None:
                    raise
                raise workflow_failure(typed.type, typed.message) from err
            self._plan = updated
            self._changes += 1
        await self._audit.record(
            action,
            actor,
            "applied",
            connection_id=request.connection_id,
            plan_id=updated.plan_id,
            status=updated.status.value,
            **details,
        )
        return self._view()

    def _known_rules(self) -> PlanRules:
        assert self._rules is not None
        return self._rules

    # --- the process -----------------------------------------------------------------------

    @workflow.run
    async def run(self, request: EnrollPlanRequest) -> PlanOutcome:
        return await failing_typed(self._run(request), on_failure=self._fail)

    async def _run(self, request: EnrollPlanRequest) -> PlanOutcome:
        self._request = request
        if request.carried is None:
            await self._enroll(request)
        else:
            self._restore(request.carried)
        outcome = await self._follow()
        # An Update still applying a change finishes before the run closes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    async def _enroll(self, request: EnrollPlanRequest) -> None:
        request.validate_for_enrollment()
        await require_offered(request.connection_id, Process.PAYMENT_PLANS)
        reference = client_reference(workflow.info().workflow_id)

        self._advance(PlanStep.AWAITING_SESSION, f"connection {request.connection_id}")
        await self._session.obtain(request.connection_id, fail_fast=request.fail_fast)
        self._session_ready = True

        self._advance(PlanStep.CHECKING_ELIGIBILITY, f"statement {request.statement_id}")
        eligibility: PlanEligibility = await self._on_portal(
            lambda lease: workflow.execute_activity_method(
                PlanActivities.plan_eligibility,
                PlanEligibilityLookup(lease=lease, statement_id=request.statement_id),
                **SESSION_BOUND_ACTIVITY,
            )
        )
        self._rules, self._portal = eligibility.rules, eligibility.portal
        self._pausable = eligibility.pausable
        check_enrollment(eligibility.rules, request.installment_amount)

        self._advance(
            PlanStep.ENROLLING, f"{request.installment_amount} a month, reference {reference}"
        )
        enrollment = PlanEnrollment(
            statement_id=request.statement_id,
            installment_amount=request.installment_amount,
            payment_method_token=request.payment_method_token,
            reference=reference,
        )
        audited: dict[str, AuditDetail] = {
            "connection_id": request.connection_id,
            "statement_id": request.statement_id,
            "installment_amount_cents": request.installment_amount_cents,
            "currency": request.currency,
            "reference": reference,
            "method_last4": last4(request.payment_method_token),
        }
        try:
            enrolled: EnrolledPlan = await self._on_portal(
                lambda lease: workflow.execute_activity_method(
                    PlanActivities.enroll_plan,
                    EnrollPlanInput(lease=lease, enrollment=enrollment),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
        except (ActivityError, ApplicationError) as err:
            await self._audit.record(
                AuditAction.PLAN_ENROLLMENT_FAILED,
                request.requested_by,
                failure_type(err) or "error",
                **audited,
            )
            raise
        self._plan, self._already_enrolled = enrolled.plan, enrolled.already_enrolled
        await self._audit.record(
            AuditAction.PLAN_ENROLLED,
            request.requested_by,
            "already_enrolled" if enrolled.already_enrolled else "enrolled",
            plan_id=enrolled.plan.plan_id,
            installments=len(enrolled.plan.installments),
            **audited,
        )

    async def _follow(self) -> PlanOutcome:
        rechecks, watched = 0, None
        while True:
            plan, rules = self._plan, self._rules
            assert plan is not None and rules is not None
            await self._report_drafts(plan)
            if plan.status in _ENDED:
                return await self._ended(plan)
            if self._continue_as_new_due():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carry_over())
            seen = self._changes
            if plan.status is PlanStatus.PAUSED:
                self._next_check_at = None
                self._advance(PlanStep.PAUSED, describe_plan(plan))
                await self._woken_before(None, seen)
                continue
            installment = due_installment(plan)
            target = (installment.number, installment.attempts) if installment else None
            if target != watched:
                rechecks, watched = 0, target
            # Active with nothing left to draft: the portal closes it on its next read.
            draft_date = expected_draft_date(plan, rules) or workflow.now().date()
            at = next_check_at(draft_date, workflow.now(), rechecks)
            if first_check_at(draft_date) <= workflow.now():
                rechecks += 1  # the day's first look found no draft: a recheck
            self._next_check_at = at
            step = (
                PlanStep.DRAFT_RETRY_PENDING
                if installment is not None and installment.attempts > 0
                else PlanStep.WAITING_FOR_DRAFT
            )
            self._advance(step, describe_plan(plan))
            if await self._woken_before(at, seen):
                continue
            self._advance(PlanStep.CHECKING_DRAFT, describe_plan(plan))
            self._plan = await self._read_plan(plan.plan_id)

    async def _report_drafts(self, plan: PaymentPlan) -> None:
        request = self._request
        assert request is not None
        for installment, attempt in unreported_failures(plan, self._reported_failures):
            assert self._rules is not None
            await self._events.raise_event(
                EventType.PLAN_INSTALLMENT_FAILED,
                request.connection_id,
                plan_id=plan.plan_id,
                installment_number=installment.number,
                attempt=attempt,
                amount_cents=installment.amount.amount_cents,
                due_date=installment.due_date.isoformat(),
                retries_left=max(self._rules.max_draft_retries + 1 - attempt, 0),
            )
            self._reported_failures[installment.number] = attempt
        for installment in newly_drafted(plan, self._drafted_reported):
            await self._audit.record(
                AuditAction.PLAN_INSTALLMENT_DRAFTED,
                request.requested_by,
                "drafted",
                connection_id=request.connection_id,
                plan_id=plan.plan_id,
                installment_number=installment.number,
                amount_cents=installment.amount.amount_cents,
                confirmation_number=installment.confirmation_number,
            )
            self._drafted_reported.append(installment.number)

    async def _ended(self, plan: PaymentPlan) -> PlanOutcome:
        self._next_check_at = None
        if plan.status is PlanStatus.DELINQUENT:
            request = self._request
            assert request is not None
            installment = due_installment(plan)
            await self._events.raise_event(
                EventType.PLAN_DELINQUENT,
                request.connection_id,
                plan_id=plan.plan_id,
                installment_number=installment.number if installment else None,
                remaining_balance_cents=plan.remaining_balance.amount_cents,
            )
        step = {
            PlanStatus.PAID_OFF: PlanStep.PAID_OFF,
            PlanStatus.CANCELLED: PlanStep.CANCELLED,
            PlanStatus.DELINQUENT: PlanStep.DELINQUENT,
        }[plan.status]
        self._advance(step, describe_plan(plan))
        return PlanOutcome(
            plan_id=plan.plan_id,
            status=plan.status,
            plan=plan,
            already_enrolled=self._already_enrolled,
        )

    # --- helpers ---------------------------------------------------------------------------

    async def _woken_before(self, at: datetime | None, seen: int) -> bool:
        """Sleep on a durable timer until ``at`` (or until woken); True when an Update
        changed the plan."""
        delay = at - workflow.now() if at is not None else None
        if delay is not None and delay.total_seconds() <= 0:
            return False
        try:
            await workflow.wait_condition(lambda: self._changes != seen, timeout=delay)
        except TimeoutError:
            return False
        return True

    async def _read_plan(self, plan_id: str) -> PaymentPlan:
        return await self._on_portal(
            lambda lease: workflow.execute_activity_method(
                PlanActivities.read_plan,
                PlanLookup(lease=lease, plan_id=plan_id),
                **SESSION_BOUND_ACTIVITY,
            )
        )

    async def _on_portal(self, step: Callable[[SessionLease], Awaitable[T]]) -> T:
        """One browser step at a time on the connection's session: the follower and the
        Updates share it."""
        async with self._portal_lock:
            return await self._portal_step(step)

    async def _portal_step(self, step: Callable[[SessionLease], Awaitable[T]]) -> T:
        if not self._session_ready:
            # A run continued as new asks for the session on its first step.
            request = self._request
            assert request is not None
            await self._session.obtain(request.connection_id, fail_fast=request.fail_fast)
            self._session_ready = True
        return await self._session.run(step)

    def _continue_as_new_due(self) -> bool:
        # After each drafted installment (one run per month keeps each history a few dozen
        # events), or sooner should Temporal suggest it.
        return len(self._drafted_reported) > self._drafted_at_start or (
            workflow.info().is_continue_as_new_suggested()
        )

    def _restore(self, carried: PlanCarryOver) -> None:
        self._rules, self._portal, self._pausable = carried.rules, carried.portal, carried.pausable
        self._plan, self._already_enrolled = carried.plan, carried.already_enrolled
        self._reported_failures = dict(carried.reported_failures)
        self._drafted_reported = list(carried.drafted_reported)
        self._runs = carried.runs
        self._drafted_at_start = len(self._drafted_reported)

    def _carry_over(self) -> EnrollPlanRequest:
        assert self._request is not None and self._rules is not None and self._plan is not None
        carried = PlanCarryOver(
            rules=self._rules,
            portal=self._portal,
            pausable=self._pausable,
            plan=self._plan,
            already_enrolled=self._already_enrolled,
            reported_failures=self._reported_failures,
            drafted_reported=self._drafted_reported,
            runs=self._runs + 1,
        )
        return self._request.model_copy(update={"carried": carried})

    def _advance(self, step: PlanStep, detail: str) -> None:
        self._progress = PlanProgress(step=step, detail=detail)
        workflow.set_current_details(f"{step.label}: {detail}" if detail else step.label)

    def _fail(self, message: str) -> None:
        self._progress = PlanProgress(step=PlanStep.FAILED, detail=message)
        workflow.set_current_details(f"failed: {message}")

    def _enrolled(self) -> PaymentPlan:
        return enrolled_plan(self._plan, self._rules)

    def _view(self) -> PlanView:
        return PlanView(
            workflow_id=workflow.info().workflow_id,
            connection_id=self._request.connection_id if self._request else "",
            plan=self._plan,
            rules=self._rules,
            pausable=self._pausable,
            progress=self._progress,
            next_check_at=self._next_check_at,
        )

    def _next_draft(self) -> NextDraft:
        plan = self._plan
        installment = due_installment(plan) if plan is not None else None
        if plan is None or installment is None or plan.status in _ENDED:
            return NextDraft()
        return NextDraft(
            due_date=plan.next_draft_date or installment.due_date,
            amount=installment.amount,
            installment_number=installment.number,
        )

    def _balance(self) -> PlanBalance:
        if self._plan is None:
            nothing = Money(amount_cents=0)
            return PlanBalance(remaining_balance=nothing, payoff_amount=nothing)
        remaining = self._plan.remaining_balance
        return PlanBalance(remaining_balance=remaining, payoff_amount=remaining)
