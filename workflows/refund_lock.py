"""One refund of a payment at a time: the payment's refund lock, an entity workflow.

Two partial refunds of one payment requested at once would each read the same net paid and
together give back more than was paid. Each refund workflow therefore takes this lock
(``acquire`` by update-with-start, from the ``acquire_refund_lock`` activity) before it reads
the payment, and releases it (signal) when its refund is done either way. ``acquire`` never
waits: a requester that cannot hold the lock yet is queued and signalled when its turn
comes. The run ends when nobody holds or waits, so a payment's lock costs nothing at rest.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from models.errors import InvalidInput
    from models.refund_locks import (
        ACQUIRE_LOCK_UPDATE,
        LOCK_GRANTED_SIGNAL,
        REFUND_LOCK_WORKFLOW,
        RELEASE_LOCK_SIGNAL,
        AcquireRefundLock,
        RefundLockGrant,
        RefundLockGranted,
        RefundLockInput,
        ReleaseRefundLock,
    )
    from workflows.policies import REFUND_LOCK_HOLD_LIMIT


@workflow.defn(name=REFUND_LOCK_WORKFLOW)
class PaymentRefundLockWorkflow:
    def __init__(self) -> None:
        self._holder: str | None = None
        self._held_since: datetime | None = None
        self._queue: list[str] = []
        self._to_tell: list[str] = []

    @workflow.update(name=ACQUIRE_LOCK_UPDATE)
    def acquire(self, request: AcquireRefundLock) -> RefundLockGrant:
        requester = request.requester_workflow_id
        if self._holder in (None, requester):
            self._hand_to(requester, tell=False)
            return RefundLockGrant(granted=True)
        if requester not in self._queue:
            self._queue.append(requester)
        return RefundLockGrant(granted=False, position=self._queue.index(requester) + 1)

    @acquire.validator
    def _validate_acquire(self, request: AcquireRefundLock) -> None:
        if not request.requester_workflow_id:
            raise InvalidInput("a refund lock is asked for by a workflow id")

    @workflow.signal(name=RELEASE_LOCK_SIGNAL)
    def release(self, release: ReleaseRefundLock) -> None:
        requester = release.requester_workflow_id
        if requester in self._queue:
            self._queue.remove(requester)
        if self._holder == requester:
            self._pass_on()

    @workflow.query
    def holder(self) -> str | None:
        return self._holder

    @workflow.run
    async def run(self, start: RefundLockInput) -> None:
        self._queue = [wid for wid in start.queue if wid not in self._queue] + self._queue
        if start.holder is not None and self._holder is None:
            self._hand_to(start.holder, tell=True)
        while True:
            try:
                await workflow.wait_condition(
                    lambda: bool(self._to_tell) or self._idle(), timeout=REFUND_LOCK_HOLD_LIMIT
                )
            except TimeoutError:
                self._pass_on_if_stuck()
                continue
            await self._tell_granted()
            if self._idle():
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._idle():
                    return
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    start.model_copy(update={"queue": self._queue, "holder": self._holder})
                )

    def _idle(self) -> bool:
        return self._holder is None and not self._queue and not self._to_tell

    def _hand_to(self, requester: str, *, tell: bool) -> None:
        self._holder, self._held_since = requester, workflow.now()
        workflow.set_current_details(f"held by {requester}; {len(self._queue)} waiting")
        if tell:
            self._to_tell.append(requester)

    def _pass_on(self) -> None:
        if self._queue:
            self._hand_to(self._queue.pop(0), tell=True)
        else:
            self._holder = self._held_since = None
            workflow.set_current_details("free")

    def _pass_on_if_stuck(self) -> None:
        # A holder that never released (terminated by an operator) must not block the
        # payment's refunds forever. Passing on is safe: every refund re-reads the net paid
        # right before its submit, and the portal refuses more than is left.
        since = self._held_since
        if since is not None and workflow.now() - since >= REFUND_LOCK_HOLD_LIMIT:
            workflow.logger.warning("refund lock holder %s never released; passing on",
                                    self._holder)  # fmt: skip
            self._pass_on()

    async def _tell_granted(self) -> None:
        while self._to_tell:
            requester = self._to_tell.pop(0)
            try:
                await workflow.get_external_workflow_handle(requester).signal(
                    LOCK_GRANTED_SIGNAL,
                    RefundLockGranted(lock_workflow_id=workflow.info().workflow_id),
                )
            except FailureError:
                # The requester finished or was terminated while queued: the next one's turn.
                workflow.logger.info("refund lock requester %s is gone", requester)
                if self._holder == requester:
                    self._pass_on()
