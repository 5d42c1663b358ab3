"""Estimate to deposit: read the estimate, collect its deposit exactly once, then follow the
deposit on durable timers until the hospital bills the encounter and applies it, and say
where it went.

The first check is at the portal's expected billing date, measured from the portal's own
date of the deposit (so the portal's calendar and ours need not agree), then one a day for
``follow_days``; a deposit still held after that stops for a person (DepositNotApplied).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.deposits import DepositActivities
    from models.audit import AuditAction, AuditDetail, last4
    from models.deposits import (
        CollectDepositInput,
        CollectedDeposit,
        Deposit,
        DepositLookup,
        DepositProgress,
        DepositStatus,
        DepositStep,
        DepositSubmission,
        EstimateDepositRequest,
        EstimateDepositResult,
        EstimateLookup,
    )
    from models.errors import DepositNotApplied, DepositNotDue
    from models.estimates import Estimate, EstimateStatus
    from models.events import EventType
    from models.offerings import Process
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.offerings import require_offered
    from workflows.policies import DEPOSIT_RECHECK, SESSION_BOUND_ACTIVITY
    from workflows.references import client_reference
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import failing_typed, failure_type


@workflow.defn
class EstimateToDepositWorkflow:
    def __init__(self) -> None:
        self._progress = DepositProgress(step=DepositStep.CHECKING_OFFERED)
        self._session = SessionLeases()
        self._audit = AuditTrail()
        self._events = Events()

    @workflow.query
    def progress(self) -> DepositProgress:
        return self._progress

    @workflow.run
    async def run(self, request: EstimateDepositRequest) -> EstimateDepositResult:
        return await failing_typed(self._deposit(request), on_failure=self._fail)

    async def _deposit(self, request: EstimateDepositRequest) -> EstimateDepositResult:
        request.validate_for_deposit()
        self._advance(DepositStep.CHECKING_OFFERED, f"connection {request.connection_id}")
        await require_offered(request.connection_id, Process.ESTIMATE_DEPOSITS)

        self._advance(DepositStep.AWAITING_SESSION, f"connection {request.connection_id}")
        await self._session.obtain(request.connection_id)

        self._advance(DepositStep.READING_ESTIMATE, f"estimate {request.estimate_id}")
        estimate: Estimate = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                DepositActivities.read_estimate,
                EstimateLookup(lease=lease, estimate_id=request.estimate_id),
                **SESSION_BOUND_ACTIVITY,
            )
        )
        # A paid deposit may be ours (the lookup finds it); an expired estimate asks none.
        if estimate.status is EstimateStatus.EXPIRED or estimate.deposit_due.amount_cents <= 0:
            raise DepositNotDue(f"estimate {estimate.identifier} asks no deposit")

        collected = await self._collect(request, estimate)
        deposit = await self._follow(collected.deposit, request)
        assert deposit.statement_id is not None and deposit.amount_applied is not None
        where: dict[str, AuditDetail] = {
            "connection_id": request.connection_id,
            "estimate_id": estimate.identifier,
            "deposit_id": deposit.deposit_id,
            "statement_id": deposit.statement_id,
            "encounter_id": deposit.encounter_id,
            "amount_applied_cents": deposit.amount_applied.amount_cents,
        }
        await self._audit.record(
            AuditAction.DEPOSIT_APPLIED, request.requested_by, "applied", **where
        )
        applied = {key: value for key, value in where.items() if key != "connection_id"}
        await self._events.raise_event(EventType.DEPOSIT_APPLIED, request.connection_id, **applied)
        self._advance(
            DepositStep.APPLIED,
            f"{deposit.amount_applied} to statement {deposit.statement_id} "
            f"(visit {deposit.encounter_id})",
        )
        return EstimateDepositResult(
            estimate=estimate,
            deposit=deposit,
            already_collected=collected.already_collected,
            statement_id=deposit.statement_id,
            encounter_id=deposit.encounter_id,
            amount_applied=deposit.amount_applied,
            portal_checks=self._progress.portal_checks,
        )

    async def _collect(
        self, request: EstimateDepositRequest, estimate: Estimate
    ) -> CollectedDeposit:
        reference = client_reference(workflow.info().workflow_id)
        self._advance(
            DepositStep.COLLECTING_DEPOSIT, f"{estimate.deposit_due}, reference {reference}"
        )
        submission = DepositSubmission(
            estimate_id=estimate.identifier,
            amount=estimate.deposit_due,
            payment_method_token=request.payment_method_token,
            reference=reference,
        )
        audited: dict[str, AuditDetail] = {
            "connection_id": request.connection_id,
            "estimate_id": estimate.identifier,
            "amount_cents": estimate.deposit_due.amount_cents,
            "currency": estimate.deposit_due.currency,
            "reference": reference,
            "method_last4": last4(request.payment_method_token),
        }
        try:
            collected: CollectedDeposit = await self._session.run(
                lambda lease: workflow.execute_activity_method(
                    DepositActivities.collect_deposit,
                    CollectDepositInput(lease=lease, submission=submission),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
        except (ActivityError, ApplicationError) as err:
            await self._audit.record(
                AuditAction.DEPOSIT_FAILED,
                request.requested_by,
                failure_type(err) or "error",
                **audited,
            )
            raise
        await self._audit.record(
            AuditAction.DEPOSIT_COLLECTED,
            request.requested_by,
            "already_collected" if collected.already_collected else "collected",
            deposit_id=collected.deposit.deposit_id,
            encounter_id=collected.deposit.encounter_id,
            **audited,
        )
        return collected

    async def _follow(self, deposit: Deposit, request: EstimateDepositRequest) -> Deposit:
        """Read the deposit at its expected billing date, then daily, until it is applied."""
        wait = timedelta(days=(deposit.expected_billing_date - deposit.collected_on).days)
        while deposit.status is DepositStatus.HELD:
            if self._progress.portal_checks > request.follow_days:
                raise DepositNotApplied(
                    f"deposit {deposit.deposit_id} is still held for visit "
                    f"{deposit.encounter_id} {self._progress.portal_checks} checks after its "
                    f"expected billing date {deposit.expected_billing_date}: review it"
                )
            next_check = workflow.now() + wait
            self._advance(
                DepositStep.WAITING_FOR_BILLING,
                f"deposit {deposit.deposit_id} held for visit {deposit.encounter_id}; "
                f"next check {next_check:%Y-%m-%d %H:%M} UTC",
                deposit_id=deposit.deposit_id,
                next_check_at=next_check,
            )
            if wait > timedelta(0):
                await workflow.sleep(wait)
            self._advance(DepositStep.CHECKING_DEPOSIT, f"deposit {deposit.deposit_id}")
            deposit = await self._read_deposit(deposit.deposit_id)
            self._progress = self._progress.model_copy(
                update={"portal_checks": self._progress.portal_checks + 1}
            )
            wait = DEPOSIT_RECHECK
        return deposit

    async def _read_deposit(self, deposit_id: str) -> Deposit:
        return await self._session.run(
            lambda lease: workflow.execute_activity_method(
                DepositActivities.read_deposit,
                DepositLookup(lease=lease, deposit_id=deposit_id),
                **SESSION_BOUND_ACTIVITY,
            )
        )

    def _advance(
        self,
        step: DepositStep,
        detail: str,
        *,
        deposit_id: str | None = None,
        next_check_at: datetime | None = None,
    ) -> None:
        self._progress = self._progress.model_copy(
            update={
                "step": step,
                "detail": detail,
                "deposit_id": deposit_id or self._progress.deposit_id,
                "next_check_at": next_check_at,
            }
        )
        workflow.set_current_details(f"{step.value.replace('_', ' ')}: {detail}")
        workflow.logger.info("deposit step %s", step.value)

    def _fail(self, message: str) -> None:
        self._progress = self._progress.model_copy(
            update={"step": DepositStep.FAILED, "detail": message, "next_check_at": None}
        )
        workflow.set_current_details(f"failed: {message}")
