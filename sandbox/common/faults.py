"""Fault injection shared by the sandbox portals: latency, a failing step, "crash after submit",
"hold after submit".

State lives in memory: it is test scaffolding, cleared by reset, never part of a ledger.
Each portal names its own steps (a StrEnum) and hands them to ``Faults``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable

from pydantic import BaseModel, Field

# Chromium silently resends a POST whose reused keep-alive connection closed without a byte
# of response. A crashed server would refuse that resend; so does the sandbox, by dropping
# pay submissions for this long after a crash without recording them.
RESTART_WINDOW_SECONDS = 1.5
# A held response is answered when released (admin API, clear, reset) or after this long, so a
# forgotten hold cannot keep a request open forever.
HOLD_LIMIT_SECONDS = 600.0


class FaultSettings(BaseModel):
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    fail_step: str | None = None
    fail_times: int = Field(default=1, ge=0)
    crash_after_submit: int = Field(default=0, ge=0)
    hold_after_submit: int = Field(default=0, ge=0)


class FaultUpdate(BaseModel):
    latency_ms: int | None = Field(default=None, ge=0, le=60_000)
    fail_step: str | None = None
    fail_times: int | None = Field(default=None, ge=0)
    crash_after_submit: int | None = Field(default=None, ge=0)
    hold_after_submit: int | None = Field(default=None, ge=0)


class UnknownStep(ValueError):
    pass


class StepFailure(Exception):
    """Raised inside a handler to answer the step with the 500 page."""

    def __init__(self, step: str) -> None:
        super().__init__(f"injected failure at step {step}")
        self.step = step


class Faults:
    def __init__(self, steps: Iterable[str]) -> None:
        self.steps = frozenset(str(step) for step in steps)
        self.settings = FaultSettings()
        self._restarting_until = 0.0
        self._held = 0
        self._release = asyncio.Event()

    def clear(self) -> None:
        """No faults from now on; held responses are answered."""
        self.settings = FaultSettings()
        self._restarting_until = 0.0
        self.release()

    def update(self, change: FaultUpdate) -> FaultSettings:
        """Merge a change; UnknownStep for a step this portal does not have."""
        if change.fail_step is not None and change.fail_step not in self.steps:
            raise UnknownStep(f"unknown step {change.fail_step!r}; steps: {sorted(self.steps)}")
        merged = self.settings.model_dump() | change.model_dump(exclude_unset=True)
        self.settings = FaultSettings.model_validate(merged)
        return self.settings

    async def enter(self, step: str) -> None:
        """Every page handler calls this first: delay, then maybe fail."""
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        if self.settings.fail_step == step and self.settings.fail_times > 0:
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

    @property
    def held(self) -> int:
        """How many pay submissions are recorded and waiting for their response."""
        return self._held

    async def hold_response(self) -> None:
        """Called after a pay submission is recorded: if armed, the response waits until
        released, so a test knows the money moved while the client still waits."""
        if self.settings.hold_after_submit <= 0:
            return
        self.settings = self.settings.model_copy(
            update={"hold_after_submit": self.settings.hold_after_submit - 1}
        )
        release = self._release
        self._held += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(release.wait(), HOLD_LIMIT_SECONDS)
        finally:
            self._held -= 1

    def release(self) -> int:
        """Answer every held response now; returns how many were held."""
        released = self._held
        self._release.set()
        # Responses held from now on wait for the next release, not this one.
        self._release = asyncio.Event()
        return released
