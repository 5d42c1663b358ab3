"""What every patient page does first: injected faults, then the session check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from sandbox.healthpay24 import auth
from sandbox.healthpay24.state import HealthPay24Sandbox, get_sandbox
from sandbox.healthpay24.steps import Step


class LoginRequired(Exception):
    """No live session: the app answers with a redirect to the sign-in page."""

    def __init__(self, timed_out: bool) -> None:
        super().__init__("login required")
        self.timed_out = timed_out


class NotFound(Exception):
    """An account, statement, checkout or receipt that does not exist or is someone else's."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def patient_page(step: Step) -> Callable[[Request], Awaitable[auth.Patient]]:
    async def dependency(request: Request) -> auth.Patient:
        sandbox: HealthPay24Sandbox = get_sandbox(request)
        await sandbox.faults.enter(step)
        cookie = request.cookies.get(auth.SESSION_COOKIE)
        patient = auth.current_patient(sandbox.db, cookie, sandbox.settings.session_idle_seconds)
        if patient is None:
            raise LoginRequired(timed_out=cookie is not None)
        return patient

    return dependency
