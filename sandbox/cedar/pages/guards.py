"""What every patient page does first: injected faults, then the session check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from sandbox.cedar import auth
from sandbox.cedar.faults import Step
from sandbox.cedar.state import CedarSandbox, get_sandbox
from sandbox.common.layout import StructuralFault


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the sign-in page."""

    def __init__(self, expired: bool) -> None:
        super().__init__("login required")
        self.expired = expired


class TermsPending(Exception):
    """Structural fault ``interstitial``: this session has not gone past the updated terms, so
    every patient page sends it there first, as a real portal's gate does."""


class NotFound(Exception):
    """A statement or payment that does not exist or is not this patient's."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def patient_page(step: Step) -> Callable[[Request], Awaitable[auth.SessionInfo]]:
    async def dependency(request: Request) -> auth.SessionInfo:
        sandbox: CedarSandbox = get_sandbox(request)
        await sandbox.faults.enter(step)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        session = auth.current_session(sandbox.db, cookie, sandbox.settings.session_idle_seconds)
        if session is None:
            raise LoginRequired(expired=cookie is not None)
        if terms_pending(sandbox, session.session_id):
            raise TermsPending()
        return session

    return dependency


def terms_pending(sandbox: CedarSandbox, session_id: str) -> bool:
    return (
        sandbox.layout.has(StructuralFault.INTERSTITIAL)
        and session_id not in sandbox.terms_accepted
    )
