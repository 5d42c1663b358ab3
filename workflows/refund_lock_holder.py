"""A refund workflow's side of its payment's refund lock: ask, wait without a slot, release."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from activities.refund_locks import RefundLockBroker
    from models.refund_locks import (
        LOCK_GRANTED_SIGNAL,
        RELEASE_LOCK_SIGNAL,
        AcquireRefundLock,
        RefundLockGrant,
        RefundLockGranted,
        ReleaseRefundLock,
        refund_lock_workflow_id,
    )
    from workflows.policies import ACQUIRE_REFUND_LOCK_ACTIVITY, REFUND_LOCK_RECHECK


class RefundLockHolder:
    def __init__(self) -> None:
        self._granted = False
        self._lock_id: str | None = None
        workflow.set_signal_handler(LOCK_GRANTED_SIGNAL, self._on_granted)

    def _on_granted(self, _granted: RefundLockGranted) -> None:
        self._granted = True

    async def acquire(self, connection_id: str, confirmation_number: str) -> None:
        """Return once this workflow holds the payment's refund lock."""
        self._lock_id = refund_lock_workflow_id(connection_id, confirmation_number)
        request = AcquireRefundLock(
            connection_id=connection_id,
            confirmation_number=confirmation_number,
            requester_workflow_id=workflow.info().workflow_id,
        )
        while True:
            # Cleared before asking: the signal may arrive before the activity's result does.
            self._granted = False
            grant: RefundLockGrant = await workflow.execute_activity_method(
                RefundLockBroker.acquire_refund_lock, request, **ACQUIRE_REFUND_LOCK_ACTIVITY
            )
            if grant.granted:
                return
            try:
                await workflow.wait_condition(lambda: self._granted, timeout=REFUND_LOCK_RECHECK)
                return
            except TimeoutError:
                # Asking again is harmless (the lock answers "held" to its holder) and
                # recovers from a lock that an operator terminated while we were queued.
                continue

    async def release(self) -> None:
        if self._lock_id is None:
            return
        lock_id, self._lock_id = self._lock_id, None
        try:
            await workflow.get_external_workflow_handle(lock_id).signal(
                RELEASE_LOCK_SIGNAL,
                ReleaseRefundLock(requester_workflow_id=workflow.info().workflow_id),
            )
        except FailureError:
            # The lock is gone (terminated): nothing left to release.
            workflow.logger.info("refund lock %s is gone; nothing to release", lock_id)
