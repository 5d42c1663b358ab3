"""Signing in to HealthPay24, and noticing when HealthPay24 has signed us out.

User ID and password on ``/signin``, then a security code on ``/signin/verify`` (authenticator
app or text message), landing on the accounts list. A dead session is a redirect to the
sign-in page (``?reason=inactivity`` when it timed out).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.async_api import Page

from models.errors import AccountLocked, BadCredentials, MfaRejected, PortalChanged, SessionExpired
from models.sessions import MfaMethod
from portals.healthpay24 import parsing
from portals.healthpay24.pages.accounts_page import AccountsPage
from portals.healthpay24.pages.sign_in_page import SignInPage
from portals.healthpay24.pages.verification_page import VerificationPage
from portals.refusals import Refusal, refusal

PASSWORD_REFUSALS = (
    # A CAPTCHA that shows only once the password was sent: never answered by a robot.
    Refusal(("captcha",), PortalChanged, "login: the portal asks for a CAPTCHA"),
    Refusal(("locked",), AccountLocked, "login: the portal reports this login as locked"),
    Refusal(("user id or password", "incorrect"), BadCredentials,
            "login: the portal rejected the User ID or password"),
)  # fmt: skip


class HealthPay24SignIn:
    """HealthPay24's pages for the shared ``SignInFlow``."""

    portal_name = "HealthPay24"
    wrong_code_alert = "incorrect"

    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url
        self._code_page = VerificationPage(page, base_url)

    @property
    def code_page(self) -> VerificationPage:
        return self._code_page

    async def open_password_page(self) -> SignInPage:
        sign_in = SignInPage(self._page, self._base_url)
        await sign_in.open()
        # Checked before typing anything: a missing button would otherwise cost the whole
        # action timeout, and a CAPTCHA is for a person, never for us to click through.
        if await sign_in.asks_for_captcha():
            raise PortalChanged("login: the sign-in page asks for a CAPTCHA")
        if not await sign_in.is_shown():
            raise PortalChanged("login: the sign-in page lacks its heading or its sign-in button")
        return sign_in

    async def signed_in_here(self, step: str) -> bool:
        if path_of(self._page) != AccountsPage.PATH:  # a trusted device skips the code
            return False
        if not await AccountsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the accounts page did not follow")
        return True

    async def at_code_page(self) -> bool:
        return path_of(self._page) == VerificationPage.PATH

    async def open_code_page(self) -> None:
        await self._code_page.open()

    def password_refusal(self, alert: str | None) -> Exception:
        return refusal(
            alert, PASSWORD_REFUSALS,
            "login: an unexpected page followed the password (neither the security code screen "
            "nor the accounts)",
        )  # fmt: skip

    def code_notice(self, text: str) -> tuple[MfaMethod, str, str]:
        return parsing.texted_to(text)

    async def code_not_taken(self) -> Exception:
        if await SignInPage(self._page, self._base_url).is_shown():
            return MfaRejected("mfa: the portal refused the codes and restarted sign-in")
        # An interstitial ("updated terms") is not ours to accept on the patient's behalf.
        return PortalChanged(
            "mfa: an unexpected page followed the code (neither the accounts nor the sign-in)"
        )

    async def is_signed_in(self) -> bool:
        accounts = AccountsPage(self._page, self._base_url)
        await accounts.open()
        if path_of(self._page) == SignInPage.PATH:
            return False
        if not await accounts.is_shown():
            raise PortalChanged("accounts: the accounts page is not as expected")
        return True


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def raise_if_signed_out(page: Page, step: str) -> None:
    """SessionExpired when the portal sent us to its sign-in page instead of ``step``."""
    if path_of(page) != SignInPage.PATH:
        return
    timed_out = parse_qs(urlparse(page.url).query).get("reason") == ["inactivity"]
    because = "the session expired" if timed_out else "the portal asked to sign in again"
    raise SessionExpired(f"{step}: {because}")
