"""Posting a payment on a portal statement, exactly once, and keeping its receipt."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.payment_records import PaymentRecordActivities
    from activities.payments import PaymentActivities
    from models.audit import AuditAction, AuditDetail, last4
    from models.errors import (
        AmountExceedsBalance,
        PaymentCancelled,
        PortalChanged,
        StatementNotFound,
    )
    from models.events import EventType
    from models.operator_hold import (
        OPERATOR_DECISION_UPDATE,
        OperatorAction,
        OperatorDecision,
        OperatorDecisionAccepted,
    )
    from models.payments import (
        PaymentProgress,
        PaymentRecord,
        PaymentStep,
        PaymentSubmission,
        PayStatementInput,
        PostPaymentInput,
        PostPaymentRequest,
        PostPaymentResult,
        ReceiptRequest,
        StatementLookup,
        refuse_over_balance,
    )
    from workflows.audit_trail import AuditTrail
    from workflows.events import Events
    from workflows.operator_hold import OPERATOR_HOLD_PATCH, OperatorHold
    from workflows.policies import READ_MODEL_ACTIVITY, SESSION_BOUND_ACTIVITY
    from workflows.references import client_reference
    from workflows.session_lease import SessionLeases
    from workflows.typed_failures import failed_with, failing_typed, failure_type, typed_failure

# Histories from before it neither recorded the payment in the read model nor raised
# payment.posted / payment.failed.
RECORDS_OUTCOME = "record-payment-outcome"
# Histories from before it ran the payment as three activities (statement, post, receipt),
# each restoring the session into a browser context of its own.
ONE_PAYMENT_ACTIVITY = "one-payment-activity"
# Histories from before it wrote the posted payment's audit entry, read-model record and
# event as ordinary activities: three round trips through the server (~45 ms of a 0.55 s
# warm payment, bench/RESULTS.md) where local activities run in the workflow task's worker.
BOOKKEEPING_IN_PROCESS = "bookkeeping-in-process"
# Failures of pay_statement raised before it could post: audited as no payment at all.
REFUSED_BEFORE_POSTING = frozenset({AmountExceedsBalance.__name__, StatementNotFound.__name__})


@workflow.defn
class PostPaymentWorkflow:
    def __init__(self) -> None:
        self._progress = PaymentProgress(step=PaymentStep.VALIDATING)
        self._session = SessionLeases()
        self._audit = AuditTrail()
        self._events = Events()
        self._hold = OperatorHold()
        self._validated = False

    @workflow.query
    def progress(self) -> PaymentProgress:
        if self._hold.view is not None:
            return self._progress.model_copy(update={"hold": self._hold.view})
        return self._progress

    @workflow.update(name=OPERATOR_DECISION_UPDATE)
    def operator_decision(self, decision: OperatorDecision) -> OperatorDecisionAccepted:
        """Retry or cancel a payment held because its portal changed."""
        return self._hold.decide(decision)

    @operator_decision.validator
    def _check_operator_decision(self, decision: OperatorDecision) -> None:
        self._hold.check(decision)

    @workflow.run
    async def run(self, request: PostPaymentRequest) -> PostPaymentResult:
        if not workflow.patched(RECORDS_OUTCOME):
            return await failing_typed(self._post(request), on_failure=self._fail)
        try:
            result = await failing_typed(self._post_or_hold(request), on_failure=self._fail)
        except (ActivityError, ApplicationError) as err:
            # A request refused by its own checks attempted no payment: nothing to record.
            if self._validated:
                await self._record_outcome(request, None, err)
            raise
        await self._record_outcome(request, result, None)
        return result

    async def _record_outcome(
        self,
        request: PostPaymentRequest,
        result: PostPaymentResult | None,
        error: ActivityError | ApplicationError | None,
    ) -> None:
        """Into the read model (GET /payments), then as an event (webhooks)."""
        info = workflow.info()
        typed = typed_failure(error) if error is not None else None
        record = PaymentRecord(
            workflow_id=info.workflow_id,
            connection_id=request.connection_id,
            statement_id=request.statement_id,
            amount=request.amount,
            reference=client_reference(info.workflow_id),
            recorded_at=workflow.now(),
            payment=result.payment if result is not None else None,
            receipt=result.receipt if result is not None else None,
            failure_type=(typed.type if typed is not None else "error") if error else None,
            failure_message=(typed.message if typed is not None else None),
        )
        payment_id: str | None = None
        in_process = workflow.patched(BOOKKEEPING_IN_PROCESS)
        try:
            if in_process:
                recorded = await workflow.execute_local_activity_method(
                    PaymentRecordActivities.record_payment, record, **READ_MODEL_ACTIVITY
                )
            else:
                recorded = await workflow.execute_activity_method(
                    PaymentRecordActivities.record_payment, record, **READ_MODEL_ACTIVITY
                )
            payment_id = recorded.payment_id
        except ActivityError as err:
            # The portal's outcome stands; only GET /payments misses it until a sync.
            workflow.logger.warning("payment not recorded in the read model: %s", err.message)
        data: dict[str, AuditDetail] = {
            "amount_cents": request.amount_cents,
            "currency": request.currency,
            "reference": record.reference,
            "statement_id": request.statement_id,
        }
        if payment_id is not None:
            data["payment_id"] = payment_id
        if result is not None:
            data["confirmation_number"] = result.payment.confirmation_number
            event = EventType.PAYMENT_POSTED
        else:
            data["failure_type"] = record.failure_type
            event = EventType.PAYMENT_FAILED
        if in_process:
            await self._events.raise_event_in_process(event, request.connection_id, **data)
        else:
            await self._events.raise_event(event, request.connection_id, **data)

    async def _post_or_hold(self, request: PostPaymentRequest) -> PostPaymentResult:
        """``_post``; when the portal changed under any of its steps, held for an operator
        (workflows/operator_hold.py) and run again from the session step if they say so."""
        while True:
            try:
                return await self._post(request)
            except (ActivityError, ApplicationError) as err:
                changed = failed_with(err, PortalChanged)
                # Asked only on a changed portal: other histories carry no marker at all.
                if changed is None or not workflow.patched(OPERATOR_HOLD_PATCH):
                    raise
                failed_step = self._progress.step
                self._session.release()
                self._advance(PaymentStep.AWAITING_OPERATOR, changed.message)
                decision = await self._hold.wait(request.connection_id, changed, failed_step)
                if decision is None:
                    raise
                await self._audit.record(
                    AuditAction.PAYMENT_RETRIED
                    if decision.action is OperatorAction.RETRY
                    else AuditAction.PAYMENT_CANCELLED,
                    decision.decided_by,
                    decision.action.value,
                    connection_id=request.connection_id,
                    statement_id=request.statement_id,
                    reference=client_reference(workflow.info().workflow_id),
                    failed_step=failed_step.value,
                    failure_type=PortalChanged.__name__,
                    reason=decision.reason,
                )
                if decision.action is OperatorAction.CANCEL:
                    raise PaymentCancelled(
                        f"cancelled by {decision.decided_by.kind.value} "
                        f"{decision.decided_by.id} after the portal changed at {failed_step.value}"
                    ) from err
                workflow.logger.info("operator retry after a changed portal")

    async def _post(self, request: PostPaymentRequest) -> PostPaymentResult:
        request.validate_for_posting()
        self._validated = True
        reference = client_reference(workflow.info().workflow_id)

        self._advance(PaymentStep.AWAITING_SESSION, f"connection {request.connection_id}")
        await self._session.obtain(request.connection_id, fail_fast=request.fail_fast)

        submission = PaymentSubmission(
            statement_id=request.statement_id,
            amount=request.amount,
            payment_method_token=request.payment_method_token,
            reference=reference,
        )
        audited: dict[str, AuditDetail] = {
            "connection_id": request.connection_id,
            "statement_id": request.statement_id,
            "amount_cents": request.amount_cents,
            "currency": request.currency,
            "reference": reference,
            "method_last4": last4(request.payment_method_token),
        }
        if not workflow.patched(ONE_PAYMENT_ACTIVITY):
            return await self._post_in_three_steps(request, submission, audited)

        self._advance(
            PaymentStep.PAYING,
            f"statement {request.statement_id}, {request.amount}, reference {reference}",
        )
        try:
            paid = await self._session.run(
                lambda lease: workflow.execute_activity_method(
                    PaymentActivities.pay_statement,
                    PayStatementInput(lease=lease, submission=submission),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
        except (ActivityError, ApplicationError) as err:
            refused = failure_type(err)
            # As in the three steps: a statement refused before the post is no failed payment.
            if refused not in REFUSED_BEFORE_POSTING:
                await self._audit.record(
                    AuditAction.PAYMENT_FAILED, request.requested_by, refused or "error", **audited
                )
            raise
        confirmation = paid.payment.confirmation_number
        await self._audit_posted(request, confirmation, paid.already_posted, audited)
        self._advance(PaymentStep.COMPLETED, f"confirmation {confirmation}")
        return PostPaymentResult(
            payment=paid.payment,
            receipt=paid.receipt,
            balance_after=paid.balance_after,
            already_posted=paid.already_posted,
        )

    async def _audit_posted(
        self,
        request: PostPaymentRequest,
        confirmation: str,
        already_posted: bool,
        audited: dict[str, AuditDetail],
    ) -> None:
        record = (
            self._audit.record_in_process
            if workflow.patched(BOOKKEEPING_IN_PROCESS)
            else self._audit.record
        )
        await record(
            AuditAction.PAYMENT_POSTED,
            request.requested_by,
            "already_posted" if already_posted else "posted",
            confirmation_number=confirmation,
            **audited,
        )

    async def _post_in_three_steps(
        self,
        request: PostPaymentRequest,
        submission: PaymentSubmission,
        audited: dict[str, AuditDetail],
    ) -> PostPaymentResult:
        """The payment as runs started before "one-payment-activity" recorded it: statement,
        post, receipt, each an activity (and a browser context) of its own."""
        reference = submission.reference
        self._advance(PaymentStep.CHECKING_STATEMENT, f"statement {request.statement_id}")
        statement = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                PaymentActivities.check_statement,
                StatementLookup(lease=lease, statement_id=request.statement_id),
                **SESSION_BOUND_ACTIVITY,
            )
        )
        # After an operator's retry the payment may already be posted (the portal changed
        # after the submit): the post step's lookup by reference decides, not the balance.
        if not self._hold.retried:
            refuse_over_balance(request.amount, statement.balance, request.statement_id)

        self._advance(PaymentStep.POSTING_PAYMENT, f"{request.amount}, reference {reference}")
        try:
            posted = await self._session.run(
                lambda lease: workflow.execute_activity_method(
                    PaymentActivities.post_payment,
                    PostPaymentInput(lease=lease, submission=submission),
                    **SESSION_BOUND_ACTIVITY,
                )
            )
        except (ActivityError, ApplicationError) as err:
            await self._audit.record(
                AuditAction.PAYMENT_FAILED,
                request.requested_by,
                failure_type(err) or "error",
                **audited,
            )
            raise
        confirmation = posted.payment.confirmation_number
        await self._audit_posted(request, confirmation, posted.already_posted, audited)

        self._advance(PaymentStep.DOWNLOADING_RECEIPT, f"confirmation {confirmation}")
        receipt = await self._session.run(
            lambda lease: workflow.execute_activity_method(
                PaymentActivities.download_receipt,
                ReceiptRequest(lease=lease, confirmation_number=confirmation),
                **SESSION_BOUND_ACTIVITY,
            )
        )

        self._advance(PaymentStep.COMPLETED, f"confirmation {confirmation}")
        return PostPaymentResult(
            payment=posted.payment,
            receipt=receipt,
            balance_after=posted.balance_after,
            already_posted=posted.already_posted,
        )

    def _advance(self, step: PaymentStep, detail: str) -> None:
        done = [*self._progress.steps_done, self._progress.step]
        self._progress = PaymentProgress(step=step, detail=detail, steps_done=done)
        workflow.set_current_details(f"{step.value.replace('_', ' ')}: {detail}")
        workflow.logger.info("payment step %s", step.value)

    def _fail(self, message: str) -> None:
        self._progress = PaymentProgress(
            step=PaymentStep.FAILED, detail=message, steps_done=self._progress.steps_done
        )
        workflow.set_current_details(f"failed: {message}")
