"""Signing in to Cedar, and noticing when Cedar has signed us out.

Cedar signs in on one origin: ``/login`` (username, password), then ``/mfa`` (a 6-digit code
from an authenticator app, a text or an email), landing on ``/statements``. A dead session
is a redirect to ``/login`` (``?expired=1`` when it timed out).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page

from models.errors import AccountLocked, BadCredentials, MfaRejected, PortalChanged, SessionExpired
from models.sessions import MfaMethod
from portals.cedar import parsing
from portals.cedar.pages.login_page import LoginPage
from portals.cedar.pages.mfa_page import MfaPage
from portals.cedar.pages.statements_page import StatementsPage
from portals.refusals import Refusal, refusal

PASSWORD_REFUSALS = (
    # A bot check BillBridge must never answer: the portal changed under us.
    Refusal(("captcha",), PortalChanged, "login: the portal asks for a CAPTCHA"),
    Refusal(("locked",), AccountLocked, "login: the portal reports this login as locked"),
    Refusal(("invalid username or password",), BadCredentials,
            "login: the portal rejected the username or password"),
)  # fmt: skip


class CedarSignIn:
    """Cedar's pages for the shared ``SignInFlow``."""

    portal_name = "Cedar"
    wrong_code_alert = "incorrect"

    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url
        self._code_page = MfaPage(page, base_url)

    @property
    def code_page(self) -> MfaPage:
        return self._code_page

    async def open_password_page(self) -> LoginPage:
        login = LoginPage(self._page, self._base_url)
        await login.open()
        # Checked before a key is typed: a CAPTCHA is never answered, and a form that lost a
        # control is reported now rather than after the action timeout.
        if await login.asks_for_captcha():
            raise PortalChanged("login: the sign-in page asks for a CAPTCHA")
        if not await login.has_every_field():
            raise PortalChanged("login: the sign-in page lacks its username, password or button")
        return login

    async def signed_in_here(self, step: str) -> bool:
        if _path(self._page) != StatementsPage.PATH:
            return False
        if not await StatementsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the statements page did not follow")
        return True

    async def at_code_page(self) -> bool:
        return _path(self._page) == MfaPage.PATH

    async def open_code_page(self) -> None:
        await self._code_page.open()

    def password_refusal(self, alert: str | None) -> Exception:
        return refusal(
            alert, PASSWORD_REFUSALS, "login: sign-in did not lead to the verification code screen"
        )

    def code_notice(self, text: str) -> tuple[MfaMethod, str, str]:
        return parsing.code_destination(text)

    async def code_not_taken(self) -> Exception:
        if await LoginPage(self._page, self._base_url).is_shown():
            return MfaRejected("mfa: the portal refused the codes and restarted sign-in")
        # An interstitial ("We've updated our terms"…) is never clicked through.
        return PortalChanged(
            "sign-in: an unexpected page followed the code, neither the statements nor the "
            "verification screen"
        )

    async def is_signed_in(self) -> bool:
        listing = StatementsPage(self._page, self._base_url)
        await listing.open()
        if _path(self._page) == LoginPage.PATH:
            return False
        if not await listing.is_shown():
            raise PortalChanged("statements: the statements list is not as expected")
        return True


def raise_if_signed_out(page: Page, step: str) -> None:
    """SessionExpired when Cedar sent the browser to its sign-in page instead of ``step``."""
    if _path(page) != LoginPage.PATH:
        return
    expired = parse_qs(urlparse(page.url).query).get("expired") == ["1"]
    reason = "the session expired" if expired else "the portal asked to sign in again"
    raise SessionExpired(f"{step}: {reason}")


def _path(page: Page) -> str:
    return urlparse(page.url).path
