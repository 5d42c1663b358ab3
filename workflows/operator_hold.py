"""Holding a payment for an operator when its portal changed, instead of failing it.

``PortalChanged`` is non-retryable: retrying a page that lost its pay button cannot help,
and guessing around it could pay wrongly. But failing the payment outright throws away a
request that is fine, and waiting inside the session would hold the connection's other
payments. So the workflow lets go of its session lease, shows what changed (the UI's
current details, the ``progress`` query) and waits, holding no slot and no browser, for an
operator's ``operator_decision`` Update: ``retry`` (from the session step; the post
activity reconciles by reference before any submit, so nothing is paid twice) or
``cancel`` (``PaymentCancelled``). Unanswered, it fails as the PortalChanged it was after
``OPERATOR_HOLD_TIMEOUT``.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models.card_numbers import refuse_card_numbers_in
    from models.errors import NotAwaitingOperator
    from models.failure_evidence import FailureEvidence
    from models.operator_hold import (
        OPERATOR_DECISION_UPDATE,
        OperatorAction,
        OperatorDecision,
        OperatorDecisionAccepted,
        OperatorHoldView,
    )
    from models.payments import PaymentStep
    from workflows.policies import OPERATOR_HOLD_TIMEOUT

# Histories from before it failed a payment on PortalChanged: no marker, no hold.
OPERATOR_HOLD_PATCH = "operator-hold"


class OperatorHold:
    def __init__(self) -> None:
        self.view: OperatorHoldView | None = None
        self._decision: OperatorDecision | None = None
        self.retried = False  # an operator said retry at least once

    def check(self, decision: OperatorDecision) -> None:
        """The Update validator: refused (and kept out of history) unless held right now."""
        refuse_card_numbers_in(decision, "decision")
        if self.view is None or self._decision is not None:
            raise NotAwaitingOperator(
                f"payment {workflow.info().workflow_id} is not waiting for an operator"
            )

    def decide(self, decision: OperatorDecision) -> OperatorDecisionAccepted:
        assert self.view is not None, "validated: only while held"
        self._decision = decision
        return OperatorDecisionAccepted(
            workflow_id=workflow.info().workflow_id,
            action=decision.action,
            failed_step=self.view.failed_step,
        )

    async def wait(
        self, connection_id: str, changed: ApplicationError, step: PaymentStep
    ) -> OperatorDecision | None:
        """The operator's decision, or None once the hold timed out."""
        # In the details whichever step met the change: a payment step's own activity, or
        # the session's sign-in, whose reply SessionLeases raised with them.
        evidence = FailureEvidence.from_details(changed.details)
        self.view = OperatorHoldView(
            connection_id=connection_id,
            failed_step=step.value,
            changed=changed.message,
            screenshot_key=evidence.screenshot_key,
            trace_key=evidence.trace_key,
            held_since=workflow.now(),
        )
        self._decision = None
        workflow.set_current_details(_details(self.view))
        workflow.logger.warning("portal changed at %s: waiting for an operator", step.value)
        try:
            await workflow.wait_condition(
                lambda: self._decision is not None, timeout=OPERATOR_HOLD_TIMEOUT
            )
        except TimeoutError:
            return None
        finally:
            self.view = None
        decision = self._decision
        assert decision is not None
        self.retried = self.retried or decision.action is OperatorAction.RETRY
        return decision


def _details(view: OperatorHoldView) -> str:
    """Markdown for the Temporal UI: what changed, the evidence, and how to go on."""
    workflow_id = workflow.info().workflow_id
    update = (
        f"temporal workflow update execute --workflow-id {workflow_id} "
        f"--name {OPERATOR_DECISION_UPDATE} "
        """--input '{"action": "retry", "decided_by": {"kind": "operator", "id": "<you>"}}'"""
    )
    return "\n".join(
        [
            "**Waiting for an operator: the portal changed**",
            f"- step: {view.failed_step}",
            f"- what changed: {view.changed}",
            f"- screenshot: {view.screenshot_key or 'none kept'}",
            f"- trace: {view.trace_key or 'none kept'} (npx playwright show-trace, decrypted)",
            f"- retry: `billbridge payments retry {workflow_id}`",
            f"- cancel: `billbridge payments cancel {workflow_id} --reason ...`",
            f"- or: `{update}` (with the codec server)",
        ]
    )
