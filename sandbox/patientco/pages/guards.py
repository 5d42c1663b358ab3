"""What every console page does first: injected faults, then the session check, then (under
the ``interstitial`` structural fault) the updated terms a signed-in browser must accept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from sandbox.common.layout import StructuralFault
from sandbox.patientco import console_sessions
from sandbox.patientco.console_sessions import StaffSession
from sandbox.patientco.faults import Step
from sandbox.patientco.state import PatientcoSandbox, get_sandbox


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the console's sign-in."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class TermsPending(Exception):
    """The interstitial fault: the app answers with a redirect to the updated terms."""


# Set by accepting the updated terms (pages/terms_notice.py): a real portal asks once.
TERMS_COOKIE = "pco_terms_2026"


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
        if sandbox.layout.has(StructuralFault.INTERSTITIAL) and not request.cookies.get(
            TERMS_COOKIE
        ):
            raise TermsPending()
        return session

    return dependency
