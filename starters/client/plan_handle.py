"""A payment plan's handle: the generic operation handle plus the plan's Updates and queries.

Updates and queries go to the workflow's current run (the plan continues as new), never to
the run a start returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError

from models.audit import Actor
from models.errors import as_typed_error
from models.plan_enrollment import (
    InstallmentChange,
    NextDraft,
    PaymentMethodChange,
    PlanAction,
    PlanBalance,
    PlanOutcome,
    PlanProgress,
    PlanSchedule,
    PlanView,
)
from starters.client.operations import OperationHandle
from workflows.enroll_plan import EnrollPlanWorkflow

PlanProgressCallback = Callable[[PlanProgress], Awaitable[None] | None]


class PlanHandle(OperationHandle[PlanOutcome, PlanProgress]):
    def __init__(
        self, client: Client, handle: WorkflowHandle[Any, PlanOutcome], actor: Actor
    ) -> None:
        super().__init__(handle, EnrollPlanWorkflow.progress)
        self._client = client
        self._actor = actor  # who the audit trail names for this handle's changes

    @property
    def _current(self) -> WorkflowHandle[EnrollPlanWorkflow, PlanOutcome]:
        return self._client.get_workflow_handle_for(EnrollPlanWorkflow.run, self.workflow_id)

    async def progress(self) -> PlanProgress:
        return await self._current.query(EnrollPlanWorkflow.progress)

    async def enrolled(self, on_progress: PlanProgressCallback | None = None) -> PlanView:
        """Follow the enrollment until the portal holds the plan (or it failed, typed)."""
        outcome = asyncio.ensure_future(self.result())
        try:
            seen: PlanProgress | None = None
            while True:
                if outcome.done():
                    outcome.result()  # raises the typed failure; a plan that ended shows
                    return await self.view()
                progress: PlanProgress | None
                try:
                    progress = await self.progress()
                except Exception:  # no worker yet: try again shortly
                    progress = seen
                if progress is not None and progress != seen:
                    seen = progress
                    if on_progress is not None:
                        shown = on_progress(progress)
                        if shown is not None:
                            await shown
                    if progress.enrolled:
                        return await self.view()
                await asyncio.wait({outcome}, timeout=0.3)
        finally:
            outcome.cancel()

    async def view(self) -> PlanView:
        return await self._current.query(EnrollPlanWorkflow.plan)

    async def schedule(self) -> PlanSchedule:
        return await self._current.query(EnrollPlanWorkflow.schedule)

    async def next_draft(self) -> NextDraft:
        return await self._current.query(EnrollPlanWorkflow.next_draft)

    async def balance(self) -> PlanBalance:
        return await self._current.query(EnrollPlanWorkflow.balance)

    async def pause(self) -> PlanView:
        return await self._update(EnrollPlanWorkflow.pause, PlanAction(requested_by=self._actor))

    async def resume(self) -> PlanView:
        return await self._update(EnrollPlanWorkflow.resume, PlanAction(requested_by=self._actor))

    async def cancel(self) -> PlanView:
        return await self._update(EnrollPlanWorkflow.cancel, PlanAction(requested_by=self._actor))

    async def change_payment_method(self, token: str) -> PlanView:
        change = PaymentMethodChange(payment_method_token=token, requested_by=self._actor)
        return await self._update(EnrollPlanWorkflow.change_payment_method, change)

    async def change_installment_amount(self, cents: int) -> PlanView:
        change = InstallmentChange(installment_amount_cents=cents, requested_by=self._actor)
        return await self._update(EnrollPlanWorkflow.change_installment_amount, change)

    async def _update(self, update: Any, argument: Any) -> PlanView:
        """An Update; a refusal (validator or portal) is raised as its typed error."""
        try:
            view: PlanView = await self._current.execute_update(update, argument)
        except WorkflowUpdateFailedError as err:
            typed = as_typed_error(err)
            if typed is None:
                raise
            raise typed from err
        return view
