"""Events: what happened that a caller may want to hear of (a failed draft, a chargeback).

Each event has a unique, stable id (the raising workflow's run and a counter, the same on
replay and on every retry), so whoever delivers events later (webhooks) can deliver each
once per id. Event data holds identifiers and amounts only, like audit details.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.audit import AuditDetail


class EventType(StrEnum):
    PLAN_INSTALLMENT_FAILED = "plan.installment_failed"
    PLAN_DELINQUENT = "plan.delinquent"
    PAYMENT_CHARGED_BACK = "payment.charged_back"
    DEPOSIT_APPLIED = "deposit.applied"
    REFUND_COMPLETED = "refund.completed"
    PAYMENT_POSTED = "payment.posted"
    PAYMENT_FAILED = "payment.failed"
    CONNECTION_MFA_REQUIRED = "connection.mfa_required"
    CONNECTION_LOGIN_REQUIRED = "connection.login_required"
    STATEMENT_CREATED = "statement.created"
    CONNECTION_DRIFT_DETECTED = "connection.drift_detected"


class Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=512)
    type: EventType
    occurred_at: datetime
    workflow_id: str
    connection_id: str | None = None
    data: dict[str, AuditDetail] = Field(default_factory=dict)
