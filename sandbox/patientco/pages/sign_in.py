"""Signing in through Patientco ID: the redirect out, the callback back, signing out."""

from __future__ import annotations

import logging
import secrets

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from sandbox.patientco import console_sessions
from sandbox.patientco.faults import Step
from sandbox.patientco.sso_client import SignInFailed
from sandbox.patientco.state import SandboxDep

logger = logging.getLogger(__name__)
router = APIRouter()

EXPIRED = "Your session timed out after a period of inactivity. Sign in again to continue."
SIGNED_OUT = "You have signed out of the billing console."


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/accounts", status_code=303)


@router.get("/login")
async def login(
    request: Request, sandbox: SandboxDep, expired: int = 0, signed_out: int = 0
) -> Response:
    """Straight to the identity provider, unless there is a reason to say why first."""
    if expired or signed_out:
        return sandbox.render(request, "signed_out.html",
                              notice=EXPIRED if expired else SIGNED_OUT)  # fmt: skip
    started = await sandbox.oidc.start()
    browser_id = request.cookies.get(console_sessions.BROWSER_COOKIE) or secrets.token_urlsafe(18)
    console_sessions.remember_pending(sandbox.db, started.state, browser_id, started.nonce,
                                      started.code_verifier)  # fmt: skip
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(console_sessions.BROWSER_COOKIE, browser_id, httponly=True, samesite="lax")
    return response


@router.get("/sso/callback")
async def callback(request: Request, sandbox: SandboxDep) -> Response:
    await sandbox.faults.enter(Step.CALLBACK)
    params = request.query_params
    pending = console_sessions.take_pending(
        sandbox.db, params.get("state", ""), request.cookies.get(console_sessions.BROWSER_COOKIE)
    )
    if "error" in params or pending is None or not params.get("code"):
        return sandbox.render(request, "sign_in_failed.html", 400)
    try:
        claims = await sandbox.oidc.finish(params["code"], pending.code_verifier, pending.nonce)
    except SignInFailed as error:
        logger.info("sign-in callback refused: %s", error)
        return sandbox.render(request, "sign_in_failed.html", 400)
    session = console_sessions.start(sandbox.db, str(claims["preferred_username"]),
                                     str(claims.get("name", claims["sub"])))  # fmt: skip
    response = RedirectResponse("/accounts", status_code=303)
    response.set_cookie(console_sessions.SESSION_COOKIE, session.session_id, httponly=True,
                        samesite="lax")  # fmt: skip
    return response


@router.get("/logout")
async def logout(request: Request, sandbox: SandboxDep) -> Response:
    console_sessions.end(sandbox.db, request.cookies.get(console_sessions.SESSION_COOKIE))
    back = f"{sandbox.settings.portal_url}/login?signed_out=1"
    response = RedirectResponse(sandbox.oidc.logout_url(back), status_code=303)
    response.delete_cookie(console_sessions.SESSION_COOKIE)
    return response
