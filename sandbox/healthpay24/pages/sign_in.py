"""Sign-in: User ID and password, then a security code from an authenticator app or a text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from sandbox.common.layout import StructuralFault
from sandbox.healthpay24 import auth
from sandbox.healthpay24.pages.guards import patient_page
from sandbox.healthpay24.state import HealthPay24Sandbox, SandboxDep
from sandbox.healthpay24.steps import Step

router = APIRouter()

HOME = "/portal/accounts"
SIGN_IN = "/signin"
VERIFY = "/signin/verify"
INVALID = "The User ID or password you entered is incorrect."
LOCKED = (
    "This account has been locked after too many unsuccessful sign-in attempts. "
    "Call the billing office to unlock it."
)
WRONG_CODE = "The security code is incorrect. Try again."
CODE_EXPIRED = "This security code has expired. Text yourself a new code."
CODE_RESENT = "We texted you a new code. Earlier codes no longer work."
TOO_MANY_CODES = "Too many incorrect security codes. Sign in again."
INACTIVITY = "inactivity"
TIMED_OUT_URL = f"{SIGN_IN}?reason={INACTIVITY}"
TIMED_OUT = "For your security, you were signed out after a period of inactivity."
# Structural faults (sandbox.common.layout): a CAPTCHA before the password is taken, and an
# updated-terms page between a successful sign-in and the accounts.
CAPTCHA_TEXT = "W7KQ2"  # what the challenge image shows (sandbox test data)
CAPTCHA_REQUIRED = "Please complete the CAPTCHA to continue."
TERMS = "/portal/terms"


@router.get("/")
async def home() -> Response:
    return RedirectResponse(HOME, status_code=303)


@router.get(SIGN_IN)
async def sign_in_form(request: Request, sandbox: SandboxDep, reason: str = "") -> Response:
    await sandbox.faults.enter(Step.LOGIN)
    notice = TIMED_OUT if reason == INACTIVITY else None
    return _sign_in_page(request, sandbox, notice=notice, user_id="")


@router.post(SIGN_IN)
async def sign_in_submit(
    request: Request,
    sandbox: SandboxDep,
    user_id: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    captcha_robot: Annotated[str, Form()] = "",
    captcha_answer: Annotated[str, Form()] = "",
) -> Response:
    await sandbox.faults.enter(Step.LOGIN)
    username = user_id.strip()
    if sandbox.layout.has(StructuralFault.CAPTCHA) and not (
        captcha_robot and captcha_answer.strip().upper() == CAPTCHA_TEXT
    ):
        # Refused before the password is even looked at, as a bot filter in front would.
        return _sign_in_page(request, sandbox, error=CAPTCHA_REQUIRED, user_id=username)
    outcome = auth.check_password(sandbox.db, username, password)
    if outcome is not auth.PasswordOutcome.ACCEPTED:
        error = LOCKED if outcome is auth.PasswordOutcome.LOCKED else INVALID
        return _sign_in_page(request, sandbox, error=error, user_id=username)
    if auth.device_is_trusted(sandbox.db, request.cookies.get(auth.DEVICE_COOKIE), username):
        return _signed_in(sandbox, auth.start_session(sandbox.db, username), remember=False)
    preauth = auth.start_preauth(sandbox.db, username, sandbox.settings.code_seconds)
    response = RedirectResponse(VERIFY, status_code=303)
    response.set_cookie(
        auth.PREAUTH_COOKIE, preauth, max_age=auth.PREAUTH_SECONDS, httponly=True, samesite="lax"
    )
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get(VERIFY)
async def verify_form(request: Request, sandbox: SandboxDep, resent: int = 0) -> Response:
    await sandbox.faults.enter(Step.MFA)
    challenge = auth.challenge(sandbox.db, request.cookies.get(auth.PREAUTH_COOKIE))
    if challenge is None:
        return RedirectResponse(SIGN_IN, status_code=303)
    notice = CODE_RESENT if resent and challenge.method == auth.SMS else None
    return sandbox.render(request, "verify.html", challenge=challenge, notice=notice)


@router.post(VERIFY)
async def verify_submit(
    request: Request,
    sandbox: SandboxDep,
    security_code: Annotated[str, Form()] = "",
    remember_device: Annotated[str, Form()] = "",
) -> Response:
    await sandbox.faults.enter(Step.MFA)
    preauth = request.cookies.get(auth.PREAUTH_COOKIE)
    challenge = auth.challenge(sandbox.db, preauth)
    if challenge is None:  # the pre-auth timed out (or never was)
        response = RedirectResponse(TIMED_OUT_URL, status_code=303)
        response.delete_cookie(auth.PREAUTH_COOKIE)
        return response
    typed = security_code.strip().replace(" ", "").replace("-", "")
    outcome, patient = auth.check_code(sandbox.db, preauth, typed)
    if outcome is auth.CodeOutcome.REJECTED:
        return sandbox.render(request, "verify.html", challenge=challenge, error=WRONG_CODE)
    if outcome is auth.CodeOutcome.EXPIRED:
        return sandbox.render(request, "verify.html", challenge=challenge, error=CODE_EXPIRED)
    if outcome is not auth.CodeOutcome.ACCEPTED or patient is None:
        refused = _sign_in_page(request, sandbox, error=TOO_MANY_CODES, user_id="")
        refused.delete_cookie(auth.PREAUTH_COOKIE)
        return refused
    return _signed_in(sandbox, patient, remember=bool(remember_device))


@router.post(f"{VERIFY}/resend")
async def resend_code(request: Request, sandbox: SandboxDep) -> Response:
    await sandbox.faults.enter(Step.MFA)
    preauth = request.cookies.get(auth.PREAUTH_COOKIE)
    if auth.challenge(sandbox.db, preauth) is None:
        return RedirectResponse(TIMED_OUT_URL, status_code=303)
    sent = auth.resend_code(sandbox.db, preauth, sandbox.settings.code_seconds)
    return RedirectResponse(f"{VERIFY}?resent=1" if sent else VERIFY, status_code=303)


@router.get("/signout")
async def sign_out(request: Request, sandbox: SandboxDep) -> Response:
    auth.end_session(sandbox.db, request.cookies.get(auth.SESSION_COOKIE))
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


@router.get(TERMS)
async def updated_terms(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[auth.Patient, Depends(patient_page(Step.ACCOUNTS))],
) -> Response:
    return sandbox.render(request, "terms_update.html", patient=patient)


@router.post(TERMS)
async def accept_terms(
    patient: Annotated[auth.Patient, Depends(patient_page(Step.ACCOUNTS))],
) -> Response:
    return RedirectResponse(HOME, status_code=303)


def _sign_in_page(request: Request, sandbox: HealthPay24Sandbox, **context: object) -> Response:
    return sandbox.render(request, "signin.html", captcha_text=CAPTCHA_TEXT, **context)


def _signed_in(sandbox: HealthPay24Sandbox, patient: auth.Patient, *, remember: bool) -> Response:
    landing = TERMS if sandbox.layout.has(StructuralFault.INTERSTITIAL) else HOME
    response = RedirectResponse(landing, status_code=303)
    response.delete_cookie(auth.PREAUTH_COOKIE)
    response.set_cookie(auth.SESSION_COOKIE, patient.session_id, httponly=True, samesite="lax")
    if remember:
        response.set_cookie(
            auth.DEVICE_COOKIE, auth.trust_device(sandbox.db, patient.username),
            max_age=auth.DEVICE_SECONDS, httponly=True, samesite="lax",
        )  # fmt: skip
    return response
