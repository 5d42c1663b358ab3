"""The "We've updated our terms" page a signed-in patient must go past first (structural fault
``interstitial``): what a portal shows after sign-in when its terms change, instead of the
statements. Every patient page sends a session there until it continues (``guards``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import auth
from sandbox.cedar.pages.guards import LoginRequired, terms_pending
from sandbox.cedar.state import CedarSandbox, SandboxDep

router = APIRouter()

TERMS_PATH = "/notices/terms"
LANDING = "/statements"


@router.get(TERMS_PATH)
async def terms_notice(request: Request, sandbox: SandboxDep) -> Response:
    session = _session(request, sandbox)
    if not terms_pending(sandbox, session.session_id):
        return RedirectResponse(LANDING, status_code=303)
    return sandbox.render(request, "terms_notice.html", patient=session)


@router.post(TERMS_PATH)
async def terms_accept(request: Request, sandbox: SandboxDep) -> Response:
    session = _session(request, sandbox)
    sandbox.terms_accepted.add(session.session_id)
    return RedirectResponse(LANDING, status_code=303)


def _session(request: Request, sandbox: CedarSandbox) -> auth.SessionInfo:
    cookie = request.cookies.get(auth.SESSION_COOKIE)
    session = auth.current_session(sandbox.db, cookie, sandbox.settings.session_idle_seconds)
    if session is None:
        raise LoginRequired(expired=cookie is not None)
    return session
