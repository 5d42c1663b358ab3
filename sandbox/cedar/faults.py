"""Fault injection: latency, a failing step, and "crash after submit".

State lives in memory: it is test scaffolding, cleared by reset, never part of the ledger.
"""

from __future__ import annotations

import asyncio
import time
from enum import StrEnum

from pydantic import BaseModel, Field

# Chromium silently resends a POST whose reused keep-alive connection closed without a byte
# of response. A crashed server would refuse that resend; so does the sandbox, by dropping
# pay submissions for this long after a crash without recording them.
RESTART_WINDOW_SECONDS = 1.5


class Step(StrEnum):
    LOGIN = "login"
    MFA = "mfa"
    STATEMENTS = "statements"
    STATEMENT = "statement"
    PAY_FORM = "pay_form"
    PAY_SUBMIT = "pay_submit"
    CONFIRMATION = "confirmation"
    HISTORY = "history"
    RECEIPT = "receipt"


class FaultSettings(BaseModel):
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    fail_step: Step | None = None
    fail_times: int = Field(default=1, ge=0)
    crash_after_submit: int = Field(default=0, ge=0)


class FaultUpdate(BaseModel):
    latency_ms: int | None = Field(default=None, ge=0, le=60_000)
    fail_step: Step | None = None
    fail_times: int | None = Field(default=None, ge=0)
    crash_after_submit: int | None = Field(default=None, ge=0)


class StepFailure(Exception):
    """Raised inside a handler to answer the step with the 500 page."""

    def __init__(self, step: Step) -> None:
        super().__init__(f"injected failure at step {step}")
        self.step = step


class Faults:
    def __init__(self) -> None:
        self.settings = FaultSettings()
        self._restarting_until = 0.0

    def clear(self) -> None:
        self.settings = FaultSettings()
        self._restarting_until = 0.0

    def update(self, change: FaultUpdate) -> FaultSettings:
        merged = self.settings.model_dump() | change.model_dump(exclude_unset=True)
        self.settings = FaultSettings.model_validate(merged)
        return self.settings

    async def enter(self, step: Step) -> None:
        """Every patient-page handler calls this first: delay, then maybe fail."""
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        if self.settings.fail_step is step and self.settings.fail_times > 0:
            remaining = self.settings.fail_times - 1
            self.settings = self.settings.model_copy(
                update={"fail_times": remaining, "fail_step": step if remaining else None}
            )
            raise StepFailure(step)

    def restarting(self) -> bool:
        return time.monotonic() < self._restarting_until

    def take_crash(self) -> bool:
        """True if this pay submission must crash after recording the payment."""
        if self.settings.crash_after_submit <= 0:
            return False
        self.settings = self.settings.model_copy(
            update={"crash_after_submit": self.settings.crash_after_submit - 1}
        )
        self._restarting_until = time.monotonic() + RESTART_WINDOW_SECONDS
        return True
