"""Durable operations as the HTTP API shows them: a money-moving POST's process, by id.

A POST that moves money answers with an operation (Stripe's and Google's long-running
operation shape): its status, its result once it succeeded, its error (problem details with
a typed code) once it failed, and links to itself and to the object it made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class OperationKind(StrEnum):
    """The process behind an operation; the value is also its workflow id's prefix."""

    PAYMENT = "payment"
    REFUND = "refund"
    PLAN = "plan"
    DEPOSIT = "deposit"


class OperationStatus(StrEnum):
    PENDING = "pending"  # accepted, its process not started yet
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class IdempotencyState(StrEnum):
    """Where a key's first request is: still being accepted (its workflow not started
    yet), or accepted (the workflow exists; every retry answers with it)."""

    ACCEPTING = "accepting"
    ACCEPTED = "accepted"


class OperationRecord(BaseModel):
    """An idempotency key's row: which request it was first used for, and its operation."""

    id: str  # op_…
    tenant_id: str
    idempotency_key: str
    kind: OperationKind
    fingerprint: str  # SHA-256 of the canonical JSON of the endpoint and the body
    workflow_id: str
    connection_id: str
    state: IdempotencyState
    created_at: datetime
    claimed_at: datetime


class OperationError(BaseModel):
    """A failed operation's error, in the problem-details shape the API answers with."""

    type: str
    title: str
    status: int
    detail: str
    code: str


class OperationLinks(BaseModel):
    """Where to look: the operation itself, and the object it made once it exists (only
    the link of the operation's kind is ever set)."""

    self: str
    payment: str | None = None
    refund: str | None = None
    payment_plan: str | None = None
    deposit: str | None = None


class OperationPublic(BaseModel):
    object: Literal["operation"] = "operation"
    id: str
    kind: OperationKind
    status: OperationStatus
    connection_id: str
    created_at: datetime
    # What the process is doing now (its progress query), for a person.
    progress: str | None = None
    result: dict[str, Any] | None = Field(
        default=None, description="the object made, once the operation succeeded"
    )
    error: OperationError | None = None
    links: OperationLinks
