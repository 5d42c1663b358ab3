"""The identity provider's endpoints: discovery, JWKS, authorize, sign-in, code, token, logout.

An authorization request from a browser without an SSO session is parked server-side (a
sign-in request) while staff type their password and code; the finished sign-in opens the SSO
session and replays the parked request, which now issues the code to the console.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Form, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sandbox.common import clock
from sandbox.patientco.faults import Step
from sandbox.patientco.idp import captcha, staff_auth
from sandbox.patientco.idp.oidc import IdentityProvider, StaffMember, StarletteOAuth2Request
from sandbox.patientco.idp.state import IdpDep

router = APIRouter()

INVALID = "We couldn't sign you in. Check your email or username and password."
LOCKED = (
    "This account is locked after too many sign-in attempts. "
    "Contact your Patientco administrator to unlock it."
)
WRONG_CODE = {
    staff_auth.TOTP: "That code didn't work. Check your authenticator app and try again.",
    staff_auth.EMAIL: "That code didn't work. Check the email we sent and try again.",
}
CODE_EXPIRED = "This code has expired. Request a new code."
CODE_RESENT = "We sent you a new code. Codes sent earlier no longer work."
TOO_MANY_CODES = "Too many incorrect codes. Sign in again."
SIGNIN_REQUEST_SECONDS = 1800


@router.get("/.well-known/openid-configuration")
async def discovery(idp: IdpDep) -> dict[str, Any]:
    return idp.provider.discovery()


@router.get("/jwks")
async def jwks(idp: IdpDep) -> dict[str, Any]:
    return idp.provider.jwks()


@router.get("/authorize")
async def authorize(request: Request, idp: IdpDep) -> Response:
    oauth_request = _oauth_request(request, None)
    try:
        grant = idp.provider.server.get_consent_grant(oauth_request)
    except OAuth2Error as error:
        return idp.message(request, "Sign-in request rejected", 400, detail=error.description)
    signed_in = staff_auth.sso_user(
        idp.db, request.cookies.get(staff_auth.SSO_COOKIE), idp.settings.session_idle_seconds
    )
    if signed_in is not None and request.query_params.get("prompt") != "login":
        member = _member(idp.provider, *signed_in)
        return idp.provider.server.create_authorization_response(  # type: ignore[no-any-return]
            oauth_request, grant_user=member, grant=grant
        )
    request_id = secrets.token_urlsafe(18)
    idp.db.execute(
        "INSERT INTO signin_requests VALUES (?, ?, ?)",
        (request_id, str(request.query_params), clock.now(idp.db)),
    )
    return RedirectResponse(f"/signin?{urlencode({'request': request_id})}", status_code=303)


@router.get("/signin")
async def signin_form(
    request: Request, idp: IdpDep, request_id: Annotated[str, Query(alias="request")] = ""
) -> Response:
    await idp.faults.enter(Step.LOGIN)
    if _signin_request(idp, request_id) is None:
        return idp.expired(request)
    return _signin_page(idp, request, request_id, login="")


@router.post("/signin")
async def signin_submit(
    request: Request,
    idp: IdpDep,
    request_id: Annotated[str, Form(alias="request")] = "",
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    captcha_confirmed: Annotated[str, Form()] = "",
    captcha_answer: Annotated[str, Form()] = "",
) -> Response:
    await idp.faults.enter(Step.LOGIN)
    authorize_query = _signin_request(idp, request_id)
    if authorize_query is None:
        return idp.expired(request)
    if captcha.required(idp.layout) and not captcha.solved(
        request_id, captcha_confirmed, captcha_answer
    ):
        return _signin_page(idp, request, request_id, login=login, error=captcha.REFUSED)
    username = staff_auth.resolve_login(idp.db, login)
    outcome = staff_auth.check_password(idp.db, username, password)
    if outcome is not staff_auth.PasswordOutcome.ACCEPTED or username is None:
        error = LOCKED if outcome is staff_auth.PasswordOutcome.LOCKED else INVALID
        return _signin_page(idp, request, request_id, login=login, error=error)
    if staff_auth.is_trusted(idp.db, request.cookies.get(staff_auth.TRUSTED_COOKIE), username):
        return _signed_in(idp, username, authorize_query, trust=False)
    pending = staff_auth.start_pending(idp.db, username, authorize_query, idp.settings.code_seconds)
    response = RedirectResponse("/signin/verify", status_code=303)
    response.set_cookie(staff_auth.PREAUTH_COOKIE, pending, max_age=staff_auth.PREAUTH_SECONDS,
                        httponly=True, samesite="lax")  # fmt: skip
    return response


@router.get("/signin/verify")
async def verify_form(request: Request, idp: IdpDep, resent: int = 0) -> Response:
    await idp.faults.enter(Step.MFA)
    challenge = staff_auth.challenge(idp.db, request.cookies.get(staff_auth.PREAUTH_COOKIE))
    if challenge is None:
        return idp.expired(request)
    notice = CODE_RESENT if resent and challenge.method == staff_auth.EMAIL else None
    return idp.render(request, "verify.html", challenge=challenge, notice=notice)


@router.post("/signin/verify")
async def verify_submit(
    request: Request,
    idp: IdpDep,
    code: Annotated[str, Form()] = "",
    trust: Annotated[str, Form()] = "",
) -> Response:
    await idp.faults.enter(Step.MFA)
    pending = request.cookies.get(staff_auth.PREAUTH_COOKIE)
    challenge = staff_auth.challenge(idp.db, pending)
    if challenge is None:
        return idp.expired(request)
    username = idp.db.execute(
        "SELECT username FROM idp_sessions WHERE session_id = ?", (pending,)
    ).fetchone()["username"]
    outcome = staff_auth.check_code(idp.db, pending, code.strip().replace(" ", ""))
    if outcome is staff_auth.CodeOutcome.REJECTED:
        return idp.render(request, "verify.html", challenge=challenge,
                          error=WRONG_CODE[challenge.method])  # fmt: skip
    if outcome is staff_auth.CodeOutcome.EXPIRED:
        return idp.render(request, "verify.html", challenge=challenge, error=CODE_EXPIRED)
    if outcome is not staff_auth.CodeOutcome.ACCEPTED:
        request_id = secrets.token_urlsafe(18)
        idp.db.execute("INSERT INTO signin_requests VALUES (?, ?, ?)",
                       (request_id, challenge.authorize_query, clock.now(idp.db)))  # fmt: skip
        refused = _signin_page(idp, request, request_id, login="", error=TOO_MANY_CODES)
        refused.delete_cookie(staff_auth.PREAUTH_COOKIE)
        return refused
    return _signed_in(idp, username, challenge.authorize_query, trust=bool(trust))


@router.post("/signin/verify/resend")
async def verify_resend(request: Request, idp: IdpDep) -> Response:
    await idp.faults.enter(Step.MFA)
    pending = request.cookies.get(staff_auth.PREAUTH_COOKIE)
    if staff_auth.challenge(idp.db, pending) is None:
        return idp.expired(request)
    sent = staff_auth.resend_code(idp.db, pending, idp.settings.code_seconds)
    return RedirectResponse("/signin/verify?resent=1" if sent else "/signin/verify", 303)


@router.post("/token")
async def token(request: Request, idp: IdpDep) -> Response:
    oauth_request = _oauth_request(request, await request.form())
    return idp.provider.server.create_token_response(oauth_request)  # type: ignore[no-any-return]


@router.get("/userinfo")
async def userinfo(request: Request, idp: IdpDep) -> Response:
    scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
    info = idp.provider.user_info(access_token) if scheme.lower() == "bearer" else None
    if info is None:
        challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return JSONResponse({"error": "invalid_token"}, status_code=401, headers=challenge)
    return JSONResponse(info)


@router.get("/logout")
async def logout(request: Request, idp: IdpDep, post_logout_redirect_uri: str = "") -> Response:
    """RP-initiated logout: end the SSO session, then back to the console if it asked."""
    staff_auth.end_session(idp.db, request.cookies.get(staff_auth.SSO_COOKIE))
    wanted = idp.provider.client.post_logout_redirect_uri
    if post_logout_redirect_uri == wanted:
        response: Response = RedirectResponse(wanted, status_code=303)
    else:
        response = idp.message(request, "You are signed out of Patientco ID", 200)
    response.delete_cookie(staff_auth.SSO_COOKIE)
    return response


def _signed_in(idp: IdpDep, username: str, authorize_query: str, *, trust: bool) -> Response:
    """Open the SSO session and replay the parked authorization request."""
    session = staff_auth.start_sso(idp.db, username)
    response = RedirectResponse(f"/authorize?{authorize_query}", status_code=303)
    response.delete_cookie(staff_auth.PREAUTH_COOKIE)
    response.set_cookie(staff_auth.SSO_COOKIE, session, httponly=True, samesite="lax")
    if trust:
        response.set_cookie(
            staff_auth.TRUSTED_COOKIE, staff_auth.trust_browser(idp.db, username),
            max_age=staff_auth.TRUSTED_SECONDS, httponly=True, samesite="lax",
        )  # fmt: skip
    return response


def _signin_page(
    idp: IdpDep, request: Request, request_id: str, *, login: str, error: str | None = None
) -> Response:
    # The challenge's image only when the captcha fault is on (its template shows it then).
    image = captcha.image(request_id) if captcha.required(idp.layout) else None
    return idp.render(request, "signin.html", request_id=request_id, login=login, error=error,
                      captcha_image=image)  # fmt: skip


def _signin_request(idp: IdpDep, request_id: str) -> str | None:
    row = idp.db.execute(
        "SELECT * FROM signin_requests WHERE request_id = ?", (request_id,)
    ).fetchone()
    if row is None or clock.now(idp.db) - row["created_at"] > SIGNIN_REQUEST_SECONDS:
        return None
    return str(row["authorize_query"])


def _member(provider: IdentityProvider, username: str, auth_time: int) -> StaffMember:
    row = provider.db.execute("SELECT * FROM staff WHERE username = ?", (username,)).fetchone()
    return StaffMember(username, row["full_name"], row["email"], auth_time)


def _oauth_request(request: Request, form: Any) -> StarletteOAuth2Request:
    return StarletteOAuth2Request(
        request.method, str(request.url), request.headers, request.query_params, form
    )
