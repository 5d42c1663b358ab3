"""Giving money back on a posted payment, exactly once: a void before it settles, a refund
(full or partial, with a reason code) after, never more than what is left of it."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.refunds import RefundActivities
    from models.audit import AuditAction, AuditDetail
    from models.events import EventType
    from models.offerings import Process
    from models.refunds import (
        PaymentLookup,
        RefundKind,
        RefundProgress,
        RefundRequest,
        RefundResult,
        RefundStep,
        RefundSubmission,
        SubmitRefundInput,
        plan_refund,
    )
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.offerings import require_offered
    from workflows.policies import SESSION_BOUND_ACTIVITY
    from workflows.references import client_reference
    from workflows.refund_lock_holder import RefundLockHolder
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import failing_typed, failure_type


@workflow.defn
class RefundPaymentWorkflow:
    def __init__(self) -> None:
        self._progress = RefundProgress(step=RefundStep.VALIDATING)
        self._session = SessionLeases()
        self._lock = RefundLockHolder()
        self._audit = AuditTrail()
        self._events = Events()

    @workflow.query
    def progress(self) -> RefundProgress:
        return self._progress

    @workflow.run
    async def run(self, request: RefundRequest) -> RefundResult:
        return await failing_typed(self._refund(request), on_failure=self._fail)

    async def _refund(self, request: RefundRequest) -> RefundResult:
        request.validate_for_refund()
        reference = client_reference(workflow.info().workflow_id)

        self._advance(RefundStep.CHECKING_OFFERED, f"connection {request.connection_id}")
        await require_offered(request.connection_id, Process.REFUNDS)

        self._advance(RefundStep.AWAITING_SESSION, f"connection {request.connection_id}")
        await self._session.obtain(request.connection_id, fail_fast=request.fail_fast)

        # Held from reading the net paid to the end of the submit, so two refunds of one
        # payment never both spend the same remainder.
        self._advance(RefundStep.AWAITING_PAYMENT_LOCK, f"payment {request.confirmation_number}")
        await self._lock.acquire(request.connection_id, request.confirmation_number)
        try:
            return await self._refund_holding_lock(request, reference)
        finally:
            await self._lock.release()

    async def _refund_holding_lock(self, request: RefundRequest, reference: str) -> RefundResult:
        audited: dict[str, AuditDetail] = {
            "connection_id": request.connection_id,
            "confirmation_number": request.confirmation_number,
            "requested_cents": request.amount_cents,
            "currency": request.currency,
            "reason": request.reason.value,
            "reference": reference,
        }
        try:
            self._advance(RefundStep.CHECKING_PAYMENT, f"payment {request.confirmation_number}")
            state = await self._session.run(
                lambda lease: workflow.execute_activity_method(
                    RefundActivities.read_refundable_payment,
                    PaymentLookup(lease=lease, confirmation_number=request.confirmation_number),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
            kind, amount = plan_refund(state, request.amount())
            step = RefundStep.VOIDING if kind is RefundKind.VOID else RefundStep.REFUNDING
            self._advance(step, f"{amount}, reference {reference}")
            submission = RefundSubmission(
                confirmation_number=request.confirmation_number,
                kind=kind,
                amount=amount,
                reason=request.reason,
                reference=reference,
            )
            submitted = await self._session.run(
                lambda lease: workflow.execute_activity_method(
                    RefundActivities.submit_refund,
                    SubmitRefundInput(lease=lease, submission=submission),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
        except (ActivityError, ApplicationError) as err:
            await self._audit.record(
                AuditAction.REFUND_FAILED,
                request.requested_by,
                failure_type(err) or "error",
                **audited,
            )
            raise
        refund = submitted.refund
        await self._audit.record(
            AuditAction.PAYMENT_VOIDED if kind is RefundKind.VOID else AuditAction.REFUND_POSTED,
            request.requested_by,
            "already_refunded" if submitted.already_refunded else kind.value,
            refund_id=refund.refund_id,
            amount_cents=refund.amount.amount_cents,
            **audited,
        )
        await self._events.raise_event(
            EventType.REFUND_COMPLETED,
            request.connection_id,
            confirmation_number=request.confirmation_number,
            refund_id=refund.refund_id,
            kind=kind.value,
            amount_cents=refund.amount.amount_cents,
            net_paid_after_cents=submitted.net_paid_after.amount_cents,
        )
        self._advance(RefundStep.COMPLETED, f"{kind.value} {refund.refund_id}")
        return RefundResult(
            refund=refund,
            net_paid_after=submitted.net_paid_after,
            already_refunded=submitted.already_refunded,
        )

    def _advance(self, step: RefundStep, detail: str) -> None:
        done = [*self._progress.steps_done, self._progress.step]
        self._progress = RefundProgress(step=step, detail=detail, steps_done=done)
        workflow.set_current_details(f"{step.value.replace('_', ' ')}: {detail}")
        workflow.logger.info("refund step %s", step.value)

    def _fail(self, message: str) -> None:
        self._progress = RefundProgress(
            step=RefundStep.FAILED, detail=message, steps_done=self._progress.steps_done
        )
        workflow.set_current_details(f"failed: {message}")
