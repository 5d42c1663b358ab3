"""The ``interstitial`` structural fault: "We've updated our terms of service", shown to a
browser right after it signs in (and on every console page until accepted), instead of the
accounts list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from sandbox.patientco import console_sessions
from sandbox.patientco.pages.guards import TERMS_COOKIE, LoginRequired
from sandbox.patientco.state import SandboxDep

router = APIRouter()
PATH = "/notices/terms"
ACCEPTED_SECONDS = 365 * 24 * 3600


@router.get(PATH)
async def terms_notice(request: Request, sandbox: SandboxDep) -> Response:
    staff = _signed_in(request, sandbox)
    return sandbox.render(request, "terms_update.html", staff=staff)


@router.post(PATH)
async def accept_terms(request: Request, sandbox: SandboxDep) -> Response:
    _signed_in(request, sandbox)
    response = RedirectResponse("/accounts", status_code=303)
    response.set_cookie(TERMS_COOKIE, "accepted", max_age=ACCEPTED_SECONDS, httponly=True,
                        samesite="lax")  # fmt: skip
    return response


def _signed_in(request: Request, sandbox: SandboxDep) -> console_sessions.StaffSession:
    cookie = request.cookies.get(console_sessions.SESSION_COOKIE)
    session = console_sessions.current(sandbox.db, cookie, sandbox.settings.session_idle_seconds)
    if session is None:
        raise LoginRequired(expired=cookie is not None)
    return session
