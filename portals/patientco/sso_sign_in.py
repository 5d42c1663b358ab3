"""Signing in to the console through Patientco ID, as a browser does.

The console's ``/login`` sends the browser to the identity provider's origin; the password
and the code are entered there; the identity provider sends the browser back to the console,
which lands on its accounts list. A pending sign-in lives in the identity provider's cookies,
so a browser restored from saved storage finds the code screen again by starting at the
console's ``/login`` (which reveals the identity provider's origin) and opening the screen.
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from playwright.async_api import Page

from models.connections import Credentials
from models.errors import InvalidInput, MfaCodeExpired, MfaRejected, PortalChanged
from models.sessions import MfaChallenge, MfaMethod
from portals.one_time_codes import current_code
from portals.patientco import parsing
from portals.patientco.pages.accounts_page import AccountsPage
from portals.patientco.pages.console_login_page import ConsoleLoginPage
from portals.patientco.pages.idp_sign_in_page import IdpSignInPage
from portals.patientco.pages.idp_verify_page import IdpVerifyPage
from portals.patientco.refusals import sign_in_refusal

logger = logging.getLogger(__name__)

LANDING_PATH = "/accounts"  # where the console puts a freshly signed-in browser


class SsoSignIn:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url
        self._console = _origin(base_url)
        self._idp_origin: str | None = None

    def on_console(self, path: str | None = None) -> bool:
        parsed = urlparse(self._page.url)
        here = f"{parsed.scheme}://{parsed.netloc}"
        return here == self._console and (path is None or parsed.path == path)

    async def start(self, credentials: Credentials, *, trust_browser: bool) -> MfaChallenge | None:
        """Password (and a TOTP code if the secret is known); the challenge a person must
        answer, or None once signed in."""
        await ConsoleLoginPage(self._page, self._base_url).open()
        if self.on_console(LANDING_PATH):  # Patientco ID's SSO session answered at once
            await self._confirm_landed("login")
            return None
        signin = IdpSignInPage(self._page)
        if not await signin.is_shown():
            raise PortalChanged("login: the console did not lead to Patientco ID's sign-in page")
        self._idp_origin = _origin(self._page.url)
        await signin.sign_in(credentials.username, credentials.password.get_secret_value())
        if self.on_console(LANDING_PATH):  # a trusted browser skips the code
            await self._confirm_landed("login")
            return None
        verify = IdpVerifyPage(self._page)
        if not await verify.is_shown():
            raise sign_in_refusal(await signin.alert_text())
        challenge = await self._challenge(verify)
        if challenge.method is not MfaMethod.TOTP or credentials.totp_secret is None:
            return challenge
        try:
            code = current_code(credentials.totp_secret.get_secret_value())
        except ValueError as error:
            raise InvalidInput(f"login: {error}") from None
        await verify.enter_code(code, trust_browser=trust_browser)
        if not await self._code_accepted(verify):
            raise MfaRejected("login: Patientco ID rejected the one-time code")
        return None

    async def submit_code(self, code: str) -> bool:
        verify = await self._open_challenge()
        await verify.enter_code(code, trust_browser=True)
        return await self._code_accepted(verify)

    async def resend_code(self) -> MfaChallenge:
        verify = await self._open_challenge()
        challenge = await self._challenge(verify)
        if challenge.method is MfaMethod.TOTP:
            return challenge  # the authenticator app shows a new code by itself
        await verify.request_new_code()
        if not await verify.is_shown():
            raise MfaRejected("mfa: no sign-in is waiting for a code any more; start again")
        return await self._challenge(verify)

    async def current_challenge(self) -> MfaChallenge:
        return await self._challenge(await self._open_challenge())

    async def _open_challenge(self) -> IdpVerifyPage:
        """The code screen of the sign-in pending in this browser's cookies."""
        verify = IdpVerifyPage(self._page)
        if not self.on_console() and await verify.is_shown():
            return verify
        if self._idp_origin is None:
            await ConsoleLoginPage(self._page, self._base_url).open()
            if self.on_console():
                raise MfaRejected("mfa: no sign-in is waiting for a code (it finished already)")
            self._idp_origin = _origin(self._page.url)
        await verify.open(self._idp_origin)
        if not await verify.is_shown():
            raise MfaRejected("mfa: no sign-in is waiting for a code (timed out or finished)")
        return verify

    async def _challenge(self, verify: IdpVerifyPage) -> MfaChallenge:
        if not await verify.is_shown():
            raise PortalChanged("login: the security code screen is not as expected")
        sent = await verify.sent_notice_text()
        if sent is not None:
            destination, message = parsing.code_destination(sent)
            return MfaChallenge(method=MfaMethod.EMAIL, masked_destination=destination,
                                message=message)  # fmt: skip
        hint = await verify.authenticator_hint_text()
        if hint is not None:
            return MfaChallenge(method=MfaMethod.TOTP, masked_destination=None, message=hint)
        raise PortalChanged("mfa: the security code screen names no way the code was delivered")

    async def _code_accepted(self, verify: IdpVerifyPage) -> bool:
        """After Verify: True when back on the console signed in, False when asked again."""
        if self.on_console(LANDING_PATH):
            await self._confirm_landed("mfa")
            logger.info("signed in to the Patientco console")
            return True
        if self.on_console():
            if await ConsoleLoginPage(self._page, self._base_url).is_sign_in_failed():
                raise PortalChanged("mfa: the console refused Patientco ID's answer")
            raise PortalChanged("mfa: the console did not open after the code")
        if await verify.is_shown():
            alert = (await verify.alert_text() or "").lower()
            if "expired" in alert:
                raise MfaCodeExpired("mfa: the code expired before it was entered; send a new one")
            if "didn't work" in alert:
                return False
            raise PortalChanged("mfa: the code was neither accepted nor refused")
        if await IdpSignInPage(self._page).is_shown() or await verify.is_timed_out():
            raise MfaRejected("mfa: Patientco ID refused the codes and restarted sign-in")
        raise PortalChanged("mfa: the code was neither accepted nor refused")

    async def _confirm_landed(self, step: str) -> None:
        if not await AccountsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the accounts list did not follow")


def _origin(url: str) -> str:
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"
