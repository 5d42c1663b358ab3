"""A payment held for an operator after its portal changed: what they see and decide.

A changed portal (``PortalChanged``) is not retried by Temporal and not guessed around: the
payment waits, with the screenshot and trace of the failing attempt, until a person has
looked and either retries it (the portal is fixed, or the adapter was) or cancels it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from models.audit import Actor

# The Update's name, shared by the workflow, the client and `temporal workflow update`.
OPERATOR_DECISION_UPDATE = "operator_decision"


class OperatorAction(StrEnum):
    RETRY = "retry"  # run the payment again from the session step (reconciled by reference)
    CANCEL = "cancel"  # fail it as PaymentCancelled; nothing was posted


class OperatorDecision(BaseModel):
    """The Update's input. ``reason`` goes to the audit trail only, never into a message."""

    action: OperatorAction
    decided_by: Actor
    reason: str | None = Field(default=None, max_length=500)


class OperatorDecisionAccepted(BaseModel):
    workflow_id: str
    action: OperatorAction
    failed_step: str


class OperatorHoldView(BaseModel):
    """What the progress query and the Temporal UI show while a payment is held."""

    connection_id: str
    failed_step: str  # the PaymentStep value the portal changed under
    changed: str  # PortalChanged's message: which element went missing, never page text
    screenshot_key: str | None = None  # artifact keys (sealed at rest)
    trace_key: str | None = None
    held_since: datetime


class HeldPayment(BaseModel):
    """One line of ``billbridge payments waiting``."""

    workflow_id: str
    hold: OperatorHoldView
