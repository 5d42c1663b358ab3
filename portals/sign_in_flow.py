"""Signing in with a one-time code, the same on every portal.

    password page ──▶ signed in                  (a remembered device, an SSO session)
                 └──▶ code page ──▶ TOTP answered from the secret ──▶ signed in
                               └──▶ MfaChallenge: a person reads the code (text, email…)
                                    submit_mfa_code ──▶ True (signed in) | False (wrong code)

Typed outcomes, whatever the vendor: the vendor's password refusal (BadCredentials,
AccountLocked), InvalidInput for a TOTP secret that cannot be one, MfaCodeExpired for a code
too old, MfaRejected when the portal gave up on the sign-in or wants a code only a person can
read, PortalChanged when a screen is not what it should be.

Each vendor's ``sign_in.py`` supplies ``SignInScreens``: its page objects and what its
browser's whereabouts mean. The flow itself knows no vendor.
"""

from __future__ import annotations

import logging
from typing import Protocol

from playwright.async_api import Response

from models.connections import Credentials
from models.errors import InvalidInput, MfaCodeExpired, MfaRejected, PortalChanged
from models.sessions import MfaChallenge, MfaMethod
from portals.one_time_codes import current_code, typed_code

logger = logging.getLogger(__name__)

CODE_DIGITS = 6  # every portal's code today
EXPIRED_CODE_ALERT = "expired"


class PasswordPage(Protocol):
    async def sign_in(self, username: str, password: str) -> Response | None: ...

    async def alert_text(self) -> str | None: ...


class CodePage(Protocol):
    async def is_shown(self) -> bool: ...

    async def enter_code(self, code: str, *, remember_device: bool) -> Response | None: ...

    async def request_new_code(self) -> Response | None: ...

    async def sent_notice_text(self) -> str | None:
        """ "We sent a code to …": where a code a person must read went."""

    async def authenticator_hint_text(self) -> str | None: ...

    async def alert_text(self) -> str | None: ...


class SignInScreens(Protocol):
    """One vendor's sign-in, as the shared flow asks about it."""

    @property
    def portal_name(self) -> str:
        """For log lines: "Cedar"."""

    @property
    def code_page(self) -> CodePage: ...

    @property
    def wrong_code_alert(self) -> str:
        """Lower-case words of the code page's alert for a wrong code (still waiting)."""

    async def open_password_page(self) -> PasswordPage | None:
        """Start a sign-in; None when the portal signed the browser in without asking."""

    async def signed_in_here(self, step: str) -> bool:
        """Whether the browser is on the signed-in landing page; PortalChanged if it is there
        but the page is not as expected."""

    async def at_code_page(self) -> bool: ...

    async def open_code_page(self) -> None:
        """Reopen the code page of the sign-in pending in this browser's cookies (MfaRejected
        when the vendor can tell none is)."""

    def password_refusal(self, alert: str | None) -> Exception:
        """What the password page's alert means (it did not lead to the code page)."""

    def code_notice(self, text: str) -> tuple[MfaMethod, str, str]:
        """(method, masked destination, sentence) from ``CodePage.sent_notice_text``."""

    async def code_not_taken(self) -> Exception:
        """After a code, the browser is neither signed in nor on the code page: why."""

    async def is_signed_in(self) -> bool:
        """Whether this browser's session is still signed in (False: the portal expired it)."""


class SignInFlow:
    def __init__(self, screens: SignInScreens) -> None:
        self._screens = screens
        self._code = screens.code_page

    async def login(self, credentials: Credentials) -> None:
        challenge = await self.start_login(credentials, remember_device=False)
        if challenge is None:
            return
        if challenge.method is MfaMethod.TOTP:
            raise MfaRejected(
                "login: the portal asks for a one-time code but no TOTP secret is set"
            )
        raise MfaRejected(
            f"login: the portal sent a one-time code by {challenge.method}; "
            "only a person can read it"
        )

    async def start_login(
        self, credentials: Credentials, *, remember_device: bool = True
    ) -> MfaChallenge | None:
        password = await self._screens.open_password_page()
        if password is None:
            return None
        await password.sign_in(credentials.username, credentials.password.get_secret_value())
        if await self._screens.signed_in_here("login"):  # a remembered device skips the code
            return None
        if not await self._screens.at_code_page():
            raise self._screens.password_refusal(await password.alert_text())
        challenge = await self._challenge()
        if challenge.method is not MfaMethod.TOTP or credentials.totp_secret is None:
            return challenge
        try:
            code = current_code(credentials.totp_secret.get_secret_value())
        except ValueError as error:
            raise InvalidInput(f"login: {error}") from None
        await self._code.enter_code(code, remember_device=remember_device)
        if not await self._code_accepted():
            raise MfaRejected("login: the portal rejected the one-time code")
        return None

    async def submit_mfa_code(self, typed: str) -> bool:
        await self._open_challenge()
        code = typed_code(typed, CODE_DIGITS)
        if code is None:
            # Nothing the portal could accept; do not spend one of its attempts on it.
            return False
        await self._code.enter_code(code, remember_device=True)
        return await self._code_accepted()

    async def resend_mfa_code(self) -> MfaChallenge:
        challenge = await self._open_challenge()
        if challenge.method is MfaMethod.TOTP:
            return challenge  # the authenticator app shows a new code by itself
        await self._code.request_new_code()
        if not await self._screens.at_code_page():
            raise MfaRejected("mfa: no sign-in is waiting for a code any more; start again")
        return await self._challenge()

    async def is_signed_in(self) -> bool:
        return await self._screens.is_signed_in()

    async def _open_challenge(self) -> MfaChallenge:
        """The code page of the sign-in waiting in this browser's cookies."""
        if not (await self._screens.at_code_page() and await self._code.is_shown()):
            await self._screens.open_code_page()
            if not await self._screens.at_code_page():
                raise MfaRejected("mfa: no sign-in is waiting for a code (timed out or finished)")
        return await self._challenge()

    async def _challenge(self) -> MfaChallenge:
        if not await self._code.is_shown():
            raise PortalChanged("mfa: the verification code screen is not as expected")
        sent = await self._code.sent_notice_text()
        if sent is not None:
            method, destination, message = self._screens.code_notice(sent)
            return MfaChallenge(method=method, masked_destination=destination, message=message)
        hint = await self._code.authenticator_hint_text()
        if hint is not None:
            return MfaChallenge(method=MfaMethod.TOTP, masked_destination=None, message=hint)
        raise PortalChanged("mfa: the verification screen names no way the code was delivered")

    async def _code_accepted(self) -> bool:
        """After Verify: True when signed in, False when the portal asks for the code again."""
        if await self._screens.signed_in_here("mfa"):
            logger.info("signed in to %s", self._screens.portal_name)
            return True
        if await self._code.is_shown():
            alert = (await self._code.alert_text() or "").lower()
            if EXPIRED_CODE_ALERT in alert:
                raise MfaCodeExpired("mfa: the code expired before it was entered; send a new one")
            if self._screens.wrong_code_alert in alert:
                return False
            raise PortalChanged("mfa: the code was neither accepted nor refused")
        raise await self._screens.code_not_taken()


class SignsInWithACode:
    """The sign-in methods of ``PortalAdapter`` and ``UnattendedSignIn``, for an adapter that
    sets ``_sign_in`` to the flow over its portal's screens."""

    _sign_in: SignInFlow

    async def login(self, credentials: Credentials) -> None:
        await self._sign_in.login(credentials)

    async def start_login(self, credentials: Credentials) -> MfaChallenge | None:
        return await self._sign_in.start_login(credentials)

    async def submit_mfa_code(self, code: str) -> bool:
        return await self._sign_in.submit_mfa_code(code)

    async def resend_mfa_code(self) -> MfaChallenge:
        return await self._sign_in.resend_mfa_code()

    async def is_signed_in(self) -> bool:
        return await self._sign_in.is_signed_in()
