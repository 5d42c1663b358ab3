"""Sign-in: username and password, then the TOTP verification code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import auth
from sandbox.cedar.faults import Step
from sandbox.cedar.state import SandboxDep

router = APIRouter()

INVALID = "Invalid username or password."
LOCKED = (
    "Your account is locked after too many sign-in attempts. "
    "Contact your provider's billing office to unlock it."
)
WRONG_CODE = "That code is incorrect. Check your authenticator app and try again."
TOO_MANY_CODES = "Too many incorrect codes. Please sign in again."
EXPIRED = "Your session has expired. Please sign in again."


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/statements", status_code=303)


@router.get("/login")
async def login_form(request: Request, sandbox: SandboxDep, expired: int = 0) -> Response:
    await sandbox.faults.enter(Step.LOGIN)
    notice = EXPIRED if expired else None
    return sandbox.render(request, "login.html", notice=notice, username="")


@router.post("/login")
async def login_submit(
    request: Request,
    sandbox: SandboxDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    await sandbox.faults.enter(Step.LOGIN)
    outcome = auth.check_password(sandbox.db, username.strip(), password)
    if outcome is not auth.PasswordOutcome.ACCEPTED:
        error = LOCKED if outcome is auth.PasswordOutcome.LOCKED else INVALID
        return sandbox.render(
            request, "login.html", status_code=200, error=error, username=username
        )
    response = RedirectResponse("/mfa", status_code=303)
    preauth = auth.start_preauth(sandbox.db, username.strip())
    response.set_cookie(auth.PREAUTH_COOKIE, preauth, httponly=True, samesite="lax")
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get("/mfa")
async def mfa_form(request: Request, sandbox: SandboxDep) -> Response:
    await sandbox.faults.enter(Step.MFA)
    if not auth.preauth_is_live(sandbox.db, request.cookies.get(auth.PREAUTH_COOKIE)):
        return RedirectResponse("/login", status_code=303)
    return sandbox.render(request, "mfa.html")


@router.post("/mfa")
async def mfa_submit(
    request: Request, sandbox: SandboxDep, code: Annotated[str, Form()] = ""
) -> Response:
    await sandbox.faults.enter(Step.MFA)
    preauth = request.cookies.get(auth.PREAUTH_COOKIE) or ""
    outcome, session_id = auth.check_code(sandbox.db, preauth, code.strip().replace(" ", ""))
    if outcome is auth.MfaOutcome.REJECTED:
        return sandbox.render(request, "mfa.html", error=WRONG_CODE)
    if outcome is auth.MfaOutcome.EXHAUSTED:
        response = sandbox.render(request, "login.html", error=TOO_MANY_CODES, username="")
        response.delete_cookie(auth.PREAUTH_COOKIE)
        return response
    response = RedirectResponse("/statements", status_code=303)
    response.delete_cookie(auth.PREAUTH_COOKIE)
    response.set_cookie(auth.SESSION_COOKIE, session_id, httponly=True, samesite="lax")
    return response


@router.get("/logout")
async def logout(request: Request, sandbox: SandboxDep) -> Response:
    auth.end_session(sandbox.db, request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response
