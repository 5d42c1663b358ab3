"""The part of the admin API (``/__sandbox__/``) every sandbox portal answers the same way.

Each vendor's ``admin.py`` includes ``shared_admin_router(...)`` in its ``/__sandbox__``
router and keeps only what differs:
its documentation page, users, statements, accounts, ledger and vendor-only ground truth.
The JSON shapes here are the contract of ``sandbox.admin_client.SandboxAdmin``.
"""

# No ``from __future__ import annotations``: FastAPI resolves the dependency annotations
# below at definition time, and ``get_sandbox`` is a closure variable, not a module global.

import sqlite3
from collections.abc import Callable
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from sandbox.common import clock, login_events, outbox, passwords
from sandbox.common.faults import Faults, FaultSettings, FaultUpdate, UnknownStep
from sandbox.common.layout import Layout, LayoutSettings
from sandbox.common.maintenance import MaintenanceChange, MaintenanceReading, MaintenanceSchedule


class AdminSandbox(Protocol):
    db: sqlite3.Connection
    faults: Faults
    layout: Layout
    maintenance: MaintenanceSchedule

    def reset(self) -> None: ...


class PasswordChange(BaseModel):
    password: str = Field(min_length=1)


def shared_admin_router(
    get_sandbox: Callable[[Request], AdminSandbox],
    *,
    logins_table: str,
    expire_sessions: Callable[[sqlite3.Connection], dict[str, int]],
    vendor: str | None = None,
) -> APIRouter:
    """Reset, password change, outbox, login counts, session expiry, the clock, the nightly
    maintenance window and faults.

    ``vendor`` adds the plain ``GET /health``; a sandbox whose health depends on more than
    its own socket (Patientco waits for its identity provider) leaves it out and answers
    health itself.
    """
    router = APIRouter()
    sandbox_dep = Annotated[AdminSandbox, Depends(get_sandbox)]

    if vendor is not None:

        @router.get("/health")
        async def health() -> dict[str, str]:
            return {"status": "ok", "vendor": vendor}

    @router.post("/reset")
    async def reset(sandbox: sandbox_dep) -> dict[str, str]:
        """Re-seed; faults, outbox, sessions and remembered devices go with it."""
        sandbox.reset()
        return {"status": "reset"}

    @router.post("/users/{username}/password")
    async def change_password(
        sandbox: sandbox_dep, username: str, change: PasswordChange
    ) -> dict[str, str]:
        """As if the user changed the password elsewhere: the old one stops working."""
        if not passwords.set_password(sandbox.db, logins_table, username, change.password):
            raise HTTPException(status_code=404, detail="user not found")
        return {"username": username, "status": "password changed"}

    @router.get("/outbox")
    async def outbox_messages(sandbox: sandbox_dep, username: str | None = None) -> dict[str, Any]:
        """The users' phones and inboxes: every code sent, newest first."""
        return {"messages": outbox.messages(sandbox.db, username)}

    @router.delete("/outbox")
    async def clear_outbox(sandbox: sandbox_dep) -> dict[str, int]:
        return {"deleted": outbox.clear(sandbox.db)}

    @router.get("/logins")
    async def logins(sandbox: sandbox_dep) -> dict[str, object]:
        return login_events.login_counts(sandbox.db)

    @router.post("/sessions/expire")
    async def expire_all_sessions(sandbox: sandbox_dep) -> dict[str, int]:
        """End every signed-in session: the next page asks to sign in again."""
        return expire_sessions(sandbox.db)

    @router.get("/clock")
    async def read_clock(sandbox: sandbox_dep) -> clock.ClockReading:
        return clock.reading(sandbox.db)

    @router.post("/clock")
    async def advance_clock(sandbox: sandbox_dep, change: clock.ClockAdvance) -> clock.ClockReading:
        """Move the sandbox's clock forward: codes and idle sessions past their limit expire."""
        return clock.advance(sandbox.db, change.advance_seconds)

    @router.get("/maintenance")
    async def read_maintenance(sandbox: sandbox_dep) -> MaintenanceReading:
        return sandbox.maintenance.reading(sandbox.db)

    @router.post("/maintenance")
    async def set_maintenance(
        sandbox: sandbox_dep, change: MaintenanceChange
    ) -> MaintenanceReading:
        """Keep the nightly window (or not); move the clock into it with ``/clock``."""
        sandbox.maintenance.enabled = change.enabled
        return sandbox.maintenance.reading(sandbox.db)

    @router.get("/faults")
    async def get_faults(sandbox: sandbox_dep) -> FaultSettings:
        return sandbox.faults.settings

    @router.post("/faults")
    async def set_faults(sandbox: sandbox_dep, change: FaultUpdate) -> FaultSettings:
        try:
            return sandbox.faults.update(change)
        except UnknownStep as error:
            raise HTTPException(status_code=422, detail=str(error)) from None

    @router.delete("/faults")
    async def clear_faults(sandbox: sandbox_dep) -> FaultSettings:
        """No faults; held responses are answered."""
        sandbox.faults.clear()
        return sandbox.faults.settings

    @router.get("/faults/held")
    async def held_responses(sandbox: sandbox_dep) -> dict[str, int]:
        """Pay submissions recorded whose response ``hold_after_submit`` is holding."""
        return {"held": sandbox.faults.held}

    @router.post("/faults/release")
    async def release_held(sandbox: sandbox_dep) -> dict[str, int]:
        """Answer the held responses now (the faults stay as they are)."""
        return {"released": sandbox.faults.release()}

    @router.get("/layout")
    async def get_layout(sandbox: sandbox_dep) -> LayoutSettings:
        return sandbox.layout.settings

    @router.post("/layout")
    async def set_layout(sandbox: sandbox_dep, change: LayoutSettings) -> LayoutSettings:
        """The pages' markup from the next request on (``v1``, ``v2``) and a structural
        fault (the pay button missing, an interstitial, a CAPTCHA…), or none."""
        return sandbox.layout.update(change)

    return router
