"""The nightly maintenance window every sandbox portal can keep, on its movable clock.

Each vendor has its own window (an hour of the night in UTC and a length, its
``settings.py``). During it every portal page answers the vendor's ``maintenance.html``:
HTTP 503, ``Retry-After`` (seconds) and the window's end stated on the page. The admin API
(``/__sandbox__/``) keeps answering, so tests and operators can still steer the sandbox.

Off unless asked for: the launcher and the test fixtures start every sandbox without it
(``--maintenance-window`` turns it on at start, ``POST /__sandbox__/maintenance`` at any
time, a reset restores the start setting), so a test or a demo run at 02:10 UTC never
meets a window it did not ask for.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.common import clock

ADMIN_PREFIX = "/__sandbox__/"
SERVICE_UNAVAILABLE = 503


@dataclass(frozen=True)
class NightlyWindow:
    """Every night at ``starts`` (UTC) for ``minutes``; may run past midnight."""

    starts: time
    minutes: int

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.minutes)

    def _start_on(self, day: date) -> datetime:
        return datetime.combine(day, self.starts, UTC)

    def end_if_inside(self, now: datetime) -> datetime | None:
        """The end of the window ``now`` falls in, or None outside every window."""
        for day in (now.date() - timedelta(days=1), now.date()):
            start = self._start_on(day)
            if start <= now < start + self.length:
                return start + self.length
        return None

    def next_end_after(self, moment: datetime) -> datetime:
        """The first window end at or after ``moment``."""
        for offset in (-1, 0, 1):
            end = self._start_on(moment.date() + timedelta(days=offset)) + self.length
            if end >= moment:
                return end
        raise AssertionError("unreachable: a window ends every day")

    def label(self) -> str:
        ends = (datetime.combine(date(2000, 1, 1), self.starts) + self.length).time()
        return f"{self.starts:%H:%M}–{ends:%H:%M} UTC"


@dataclass
class MaintenanceSchedule:
    """The vendor's window and whether it is kept now (in memory; a reset restores it)."""

    window: NightlyWindow
    enabled_at_start: bool = False
    enabled: bool = field(init=False)

    def __post_init__(self) -> None:
        self.enabled = self.enabled_at_start

    def reset(self) -> None:
        self.enabled = self.enabled_at_start

    def end_now(self, db: sqlite3.Connection) -> datetime | None:
        """When the window the sandbox clock is in ends; None when off or outside it."""
        if not self.enabled:
            return None
        return self.window.end_if_inside(datetime.fromtimestamp(clock.now(db), UTC))

    def reading(self, db: sqlite3.Connection) -> MaintenanceReading:
        now = datetime.fromtimestamp(clock.now(db), UTC)
        return MaintenanceReading(
            enabled=self.enabled,
            window=self.window.label(),
            starts=self.window.starts.strftime("%H:%M"),
            minutes=self.window.minutes,
            now=now,
            ends_at=self.end_now(db),
        )


class MaintenanceReading(BaseModel):
    """``GET /__sandbox__/maintenance``: the window, and its end if the clock is inside it."""

    enabled: bool
    window: str  # "02:00–02:10 UTC"
    starts: str  # "02:00"
    minutes: int
    now: datetime  # on the sandbox clock
    ends_at: datetime | None = None


class MaintenanceChange(BaseModel):
    enabled: bool


class MaintainedSandbox(Protocol):
    db: sqlite3.Connection
    maintenance: MaintenanceSchedule

    def render(
        self,
        request: Request,
        name: str,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: object,
    ) -> Response: ...


class MaintenancePage:
    """ASGI middleware: inside the window, every page but the admin API is the vendor's
    ``maintenance.html`` (503). Plain ASGI rather than ``@app.middleware``, so the routes'
    own connection handling (the dropped connection of "crash after submit") is untouched."""

    def __init__(self, app: ASGIApp, get_sandbox: Callable[[Request], MaintainedSandbox]) -> None:
        self._app = app
        self._get_sandbox = get_sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self._app(scope, receive, send)
            return
        request = Request(scope, receive)
        sandbox = self._get_sandbox(request)
        ends_at = sandbox.maintenance.end_now(sandbox.db)
        if ends_at is None:
            await self._app(scope, receive, send)
            return
        remaining = (ends_at - datetime.fromtimestamp(clock.now(sandbox.db), UTC)).total_seconds()
        response = sandbox.render(
            request,
            "maintenance.html",
            SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(max(1, math.ceil(remaining)))},
            ends_at=ends_at,
        )
        await response(scope, receive, send)
