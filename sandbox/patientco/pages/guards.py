"""What every console page does first: injected faults, then the session check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from sandbox.patientco import console_sessions
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.state import PatientcoSandbox, get_sandbox


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the console's sign-in."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class NotFound(Exception):
    """An account, statement, transaction or batch the console does not have."""

    def __init__(self, heading: str) -> None:
        super().__init__(heading)
        self.heading = heading


def staff_page(step: Step) -> Callable[[Request], Awaitable[StaffSession]]:
    async def dependency(request: Request) -> StaffSession:
        sandbox: PatientcoSandbox = get_sandbox(request)
        await sandbox.faults.enter(step)
        cookie = request.cookies.get(console_sessions.SESSION_COOKIE)
        session = console_sessions.current(
            sandbox.db, cookie, sandbox.settings.session_idle_seconds
        )
        if session is None:
            raise LoginRequired(expired=cookie is not None)
        return session

    return dependency
