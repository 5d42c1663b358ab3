"""Signing in to the console through Patientco ID, as a browser does, and noticing when the
console has signed us out.

The console's ``/login`` sends the browser to the identity provider's origin; the password
and the code are entered there; the identity provider sends the browser back to the console,
which lands on its accounts list. A pending sign-in lives in the identity provider's cookies,
so a browser restored from saved storage finds the code screen again by starting at the
console's ``/login`` (which reveals the identity provider's origin) and opening the screen.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page

from models.errors import AccountLocked, BadCredentials, MfaRejected, PortalChanged, SessionExpired
from models.sessions import MfaMethod
from portals.patientco import parsing
from portals.patientco.pages.accounts_page import AccountsPage
from portals.patientco.pages.console_login_page import ConsoleLoginPage
from portals.patientco.pages.idp_sign_in_page import IdpSignInPage
from portals.patientco.pages.idp_verify_page import IdpVerifyPage
from portals.refusals import Refusal, refusal

LANDING_PATH = "/accounts"  # where the console puts a freshly signed-in browser
# Where the console may be mid-sign-in: its entry ("Signed out") and Patientco ID's answer
# ("Sign-in failed"). Anywhere else on the console, after signing in, is a page we do not know.
SIGN_IN_PATHS = ("/login", "/sso/callback")
PASSWORD_REFUSALS = (
    Refusal(("captcha",), PortalChanged,
            "login: Patientco ID asks for a CAPTCHA, which only a person can answer"),
    Refusal(("locked",), AccountLocked, "login: Patientco ID reports this login as locked"),
    Refusal(("couldn't sign you in",), BadCredentials,
            "login: Patientco ID rejected the username or password"),
)  # fmt: skip


class PatientcoSignIn:
    """The console's and Patientco ID's pages for the shared ``SignInFlow``."""

    portal_name = "the Patientco console"
    wrong_code_alert = "didn't work"

    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url
        self.console_origin = _origin(base_url)
        self._idp_origin: str | None = None
        self._code_page = IdpVerifyPage(page)

    @property
    def code_page(self) -> IdpVerifyPage:
        return self._code_page

    def on_console(self, path: str | None = None) -> bool:
        return on_console(self._page, self.console_origin, path)

    async def open_password_page(self) -> IdpSignInPage | None:
        await ConsoleLoginPage(self._page, self._base_url).open()
        if await self.signed_in_here("login"):  # Patientco ID's SSO session answered at once
            return None
        signin = IdpSignInPage(self._page)
        if not await signin.is_shown():
            raise PortalChanged("login: the console did not lead to Patientco ID's sign-in page")
        if await signin.asks_for_captcha():
            raise PortalChanged(
                "login: Patientco ID asks for a CAPTCHA, which only a person can answer"
            )
        if not await signin.has_sign_in_button():
            raise PortalChanged("login: Patientco ID's sign-in page has no sign-in button")
        self._idp_origin = _origin(self._page.url)
        return signin

    async def signed_in_here(self, step: str) -> bool:
        if not self.on_console():
            return False
        if urlparse(self._page.url).path in SIGN_IN_PATHS:
            return False
        if not self.on_console(LANDING_PATH):
            # An interstitial ("We've updated our terms") or another page: never clicked
            # through, since agreeing to something is a person's decision.
            raise PortalChanged(f"{step}: an unexpected page instead of the accounts list")
        if not await AccountsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the accounts list did not follow")
        return True

    async def at_code_page(self) -> bool:
        return not self.on_console() and await self._code_page.is_shown()

    async def open_code_page(self) -> None:
        if self._idp_origin is None:
            await ConsoleLoginPage(self._page, self._base_url).open()
            if self.on_console():
                raise MfaRejected("mfa: no sign-in is waiting for a code (it finished already)")
            self._idp_origin = _origin(self._page.url)
        await self._code_page.open(self._idp_origin)

    def password_refusal(self, alert: str | None) -> Exception:
        return refusal(
            alert, PASSWORD_REFUSALS, "login: sign-in did not lead to the security code screen"
        )

    def code_notice(self, text: str) -> tuple[MfaMethod, str, str]:
        return parsing.code_destination(text)

    async def code_not_taken(self) -> Exception:
        if self.on_console():
            if await ConsoleLoginPage(self._page, self._base_url).is_sign_in_failed():
                return PortalChanged("mfa: the console refused Patientco ID's answer")
            return PortalChanged("mfa: the console did not open after the code")
        if await IdpSignInPage(self._page).is_shown() or await self._code_page.is_timed_out():
            return MfaRejected("mfa: Patientco ID refused the codes and restarted sign-in")
        return PortalChanged("mfa: the code was neither accepted nor refused")

    async def is_signed_in(self) -> bool:
        listing = AccountsPage(self._page, self._base_url)
        await listing.open()
        if not self.on_console(LANDING_PATH):
            return False
        if not await listing.is_shown():
            raise PortalChanged("accounts: the guarantor accounts list is not as expected")
        return True


def on_console(page: Page, console_origin: str, path: str | None = None) -> bool:
    parsed = urlparse(page.url)
    here = f"{parsed.scheme}://{parsed.netloc}"
    return here == console_origin and (path is None or parsed.path == path)


def raise_if_signed_out(
    page: Page, console_origin: str, step: str, expected_path: str | None
) -> None:
    """A dead console session ends on ``/login?expired=1`` or at Patientco ID; a live
    Patientco ID session may instead sign in again silently and land on the accounts."""
    url = urlparse(page.url)
    if not on_console(page, console_origin):
        raise SessionExpired(f"{step}: the console sent the browser to sign in again")
    if url.path == "/login":
        expired = parse_qs(url.query).get("expired") == ["1"]
        reason = "the session expired" if expired else "the console asked to sign in again"
        raise SessionExpired(f"{step}: {reason}")
    if expected_path is not None and url.path != expected_path and url.path == LANDING_PATH:
        raise SessionExpired(f"{step}: the console signed in again and lost the page")


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"
