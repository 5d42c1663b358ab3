"""Sign-in: username and password, then a verification code from an app, a text or an email."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.cedar import auth, devices
from sandbox.cedar.faults import Step
from sandbox.cedar.state import CedarSandbox, SandboxDep
from sandbox.common.layout import StructuralFault

router = APIRouter()

INVALID = "Invalid username or password."
LOCKED = (
    "Your account is locked after too many sign-in attempts. "
    "Contact your provider's billing office to unlock it."
)
WRONG_CODE = {
    auth.TOTP: "That code is incorrect. Check your authenticator app and try again.",
    auth.SMS: "That code is incorrect. Check the text message and try again.",
    auth.EMAIL: "That code is incorrect. Check the email and try again.",
}
CODE_EXPIRED = "That code has expired. Send a new code."
CODE_RESENT = "A new code is on its way. Codes sent earlier no longer work."
TOO_MANY_CODES = "Too many incorrect codes. Please sign in again."
EXPIRED = "Your session has expired. Please sign in again."
CAPTCHA_REQUIRED = "Please complete the CAPTCHA to sign in."
CAPTCHA_SOLVED = "solved"


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
    captcha: Annotated[str, Form()] = "",
) -> Response:
    await sandbox.faults.enter(Step.LOGIN)
    username = username.strip()
    if sandbox.layout.has(StructuralFault.CAPTCHA) and captcha != CAPTCHA_SOLVED:
        # Refused before the password is looked at: no failed attempt is counted.
        return sandbox.render(
            request, "login.html", status_code=200, error=CAPTCHA_REQUIRED, username=username
        )
    outcome = auth.check_password(sandbox.db, username, password)
    if outcome is not auth.PasswordOutcome.ACCEPTED:
        error = LOCKED if outcome is auth.PasswordOutcome.LOCKED else INVALID
        return sandbox.render(
            request, "login.html", status_code=200, error=error, username=username
        )
    if devices.recognizes(sandbox.db, request.cookies.get(devices.DEVICE_COOKIE), username):
        session = auth.start_session(sandbox.db, username)
        return _signed_in(session, remember=False, sandbox=sandbox)
    response = RedirectResponse("/mfa", status_code=303)
    preauth = auth.start_preauth(sandbox.db, username, sandbox.settings.code_seconds)
    response.set_cookie(
        auth.PREAUTH_COOKIE, preauth, max_age=auth.PREAUTH_SECONDS, httponly=True, samesite="lax"
    )
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get("/mfa")
async def mfa_form(request: Request, sandbox: SandboxDep, resent: int = 0) -> Response:
    await sandbox.faults.enter(Step.MFA)
    challenge = auth.challenge(sandbox.db, request.cookies.get(auth.PREAUTH_COOKIE))
    if challenge is None:
        return RedirectResponse("/login", status_code=303)
    notice = CODE_RESENT if resent and challenge.method in auth.SENT_CODE_METHODS else None
    return sandbox.render(request, "mfa.html", challenge=challenge, notice=notice)


@router.post("/mfa")
async def mfa_submit(
    request: Request,
    sandbox: SandboxDep,
    code: Annotated[str, Form()] = "",
    remember: Annotated[str, Form()] = "",
) -> Response:
    await sandbox.faults.enter(Step.MFA)
    preauth = request.cookies.get(auth.PREAUTH_COOKIE)
    challenge = auth.challenge(sandbox.db, preauth)
    if preauth is None or challenge is None:  # the pre-auth timed out (or never was)
        response = RedirectResponse("/login?expired=1", status_code=303)
        response.delete_cookie(auth.PREAUTH_COOKIE)
        return response
    outcome, session = auth.check_code(sandbox.db, preauth, code.strip().replace(" ", ""))
    if outcome is auth.MfaOutcome.REJECTED:
        return sandbox.render(
            request, "mfa.html", challenge=challenge, error=WRONG_CODE[challenge.method]
        )
    if outcome is auth.MfaOutcome.EXPIRED:
        return sandbox.render(request, "mfa.html", challenge=challenge, error=CODE_EXPIRED)
    if outcome is not auth.MfaOutcome.ACCEPTED or session is None:
        refused = sandbox.render(request, "login.html", error=TOO_MANY_CODES, username="")
        refused.delete_cookie(auth.PREAUTH_COOKIE)
        return refused
    return _signed_in(session, remember=bool(remember), sandbox=sandbox)


@router.post("/mfa/resend")
async def mfa_resend(request: Request, sandbox: SandboxDep) -> Response:
    await sandbox.faults.enter(Step.MFA)
    preauth = request.cookies.get(auth.PREAUTH_COOKIE)
    if auth.challenge(sandbox.db, preauth) is None:
        return RedirectResponse("/login?expired=1", status_code=303)
    sent = auth.resend_code(sandbox.db, preauth, sandbox.settings.code_seconds)
    return RedirectResponse("/mfa?resent=1" if sent else "/mfa", status_code=303)


@router.get("/logout")
async def logout(request: Request, sandbox: SandboxDep) -> Response:
    auth.end_session(sandbox.db, request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


def _signed_in(session: auth.SessionInfo, *, remember: bool, sandbox: CedarSandbox) -> Response:
    response = RedirectResponse("/statements", status_code=303)
    response.delete_cookie(auth.PREAUTH_COOKIE)
    response.set_cookie(auth.SESSION_COOKIE, session.session_id, httponly=True, samesite="lax")
    if remember:
        token = devices.remember(sandbox.db, session.username)
        response.set_cookie(
            devices.DEVICE_COOKIE, token, max_age=devices.DEVICE_SECONDS, httponly=True,
            samesite="lax",
        )  # fmt: skip
    return response
