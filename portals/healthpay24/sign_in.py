"""Signing in to HealthPay24: User ID and password, then a security code (authenticator app or
text message), with the sign-in split at a texted code that only a person can read."""

from __future__ import annotations

import logging

from playwright.async_api import Page

from models.connections import Credentials
from models.errors import (
    AccountLocked,
    BadCredentials,
    InvalidInput,
    MfaCodeExpired,
    MfaRejected,
    PortalChanged,
)
from models.sessions import MfaChallenge, MfaMethod
from portals.healthpay24 import parsing
from portals.healthpay24.opening import path_of
from portals.healthpay24.pages.accounts_page import AccountsPage
from portals.healthpay24.pages.sign_in_page import SignInPage
from portals.healthpay24.pages.verification_page import VerificationPage
from portals.one_time_codes import current_code, typed_code

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


class SignIn:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def start(
        self, credentials: Credentials, *, remember_device: bool
    ) -> MfaChallenge | None:
        """Password, then a TOTP code if a secret is given; the challenge of a texted code."""
        sign_in = SignInPage(self._page, self._base_url)
        await sign_in.open()
        await sign_in.sign_in(credentials.username, credentials.password.get_secret_value())
        if path_of(self._page) == AccountsPage.PATH:  # a trusted device skips the code
            await self._confirm_signed_in("login")
            return None
        if path_of(self._page) != VerificationPage.PATH:
            raise _refusal(await sign_in.alert_text())
        verification = VerificationPage(self._page, self._base_url)
        challenge = await self._challenge(verification)
        if challenge.method is not MfaMethod.TOTP or credentials.totp_secret is None:
            return challenge
        try:
            code = current_code(credentials.totp_secret.get_secret_value())
        except ValueError as error:
            raise InvalidInput(f"login: {error}") from None
        await verification.enter_code(code, remember_device=remember_device)
        if not await self._code_accepted(verification):
            raise MfaRejected("login: the portal rejected the one-time code")
        return None

    async def submit_code(self, code: str) -> bool:
        verification = VerificationPage(self._page, self._base_url)
        await self._open_challenge(verification)
        normalized = typed_code(code, CODE_DIGITS)
        if normalized is None:
            # Nothing the portal could accept; do not spend one of its attempts on it.
            return False
        await verification.enter_code(normalized, remember_device=True)
        return await self._code_accepted(verification)

    async def resend_code(self) -> MfaChallenge:
        verification = VerificationPage(self._page, self._base_url)
        challenge = await self._open_challenge(verification)
        if challenge.method is MfaMethod.TOTP:
            return challenge  # the authenticator app shows a new code by itself
        await verification.request_new_code()
        if path_of(self._page) != VerificationPage.PATH:
            raise MfaRejected("mfa: no sign-in is waiting for a code any more; start again")
        return await self._challenge(verification)

    async def is_signed_in(self) -> bool:
        accounts = AccountsPage(self._page, self._base_url)
        await accounts.open()
        if path_of(self._page) == SignInPage.PATH:
            return False
        if not await accounts.is_shown():
            raise PortalChanged("accounts: the accounts page is not as expected")
        return True

    async def _open_challenge(self, verification: VerificationPage) -> MfaChallenge:
        """The verification screen of the sign-in waiting in this browser's cookies."""
        if path_of(self._page) != VerificationPage.PATH or not await verification.is_shown():
            await verification.open()
            if path_of(self._page) != VerificationPage.PATH:
                raise MfaRejected("mfa: no sign-in is waiting for a code (timed out or finished)")
        return await self._challenge(verification)

    async def _challenge(self, verification: VerificationPage) -> MfaChallenge:
        if not await verification.is_shown():
            raise PortalChanged("mfa: the verification screen is not as expected")
        texted = await verification.texted_notice_text()
        if texted is not None:
            method, destination, message = parsing.texted_to(texted)
            return MfaChallenge(method=method, masked_destination=destination, message=message)
        hint = await verification.authenticator_hint_text()
        if hint is not None:
            return MfaChallenge(method=MfaMethod.TOTP, masked_destination=None, message=hint)
        raise PortalChanged("mfa: the verification screen names no way the code was delivered")

    async def _code_accepted(self, verification: VerificationPage) -> bool:
        """After Verify: True when signed in, False when the portal asks for the code again."""
        if path_of(self._page) == AccountsPage.PATH:
            await self._confirm_signed_in("mfa")
            logger.info("signed in to HealthPay24")
            return True
        if await verification.is_shown():
            alert = (await verification.alert_text() or "").lower()
            if "expired" in alert:
                raise MfaCodeExpired("mfa: the code expired before it was entered; send a new one")
            if "incorrect" in alert:
                return False
            raise PortalChanged("mfa: the code was neither accepted nor refused")
        if await SignInPage(self._page, self._base_url).is_shown():
            raise MfaRejected("mfa: the portal refused the codes and restarted sign-in")
        raise PortalChanged("mfa: the code was neither accepted nor refused")

    async def _confirm_signed_in(self, step: str) -> None:
        if not await AccountsPage(self._page, self._base_url).is_shown():
            raise PortalChanged(f"{step}: signed in, but the accounts page did not follow")


def _refusal(alert: str | None) -> Exception:
    text = (alert or "").lower()
    if "locked" in text:
        return AccountLocked("login: the portal reports this login as locked")
    if "user id or password" in text and "incorrect" in text:
        return BadCredentials("login: the portal rejected the User ID or password")
    return PortalChanged("login: sign-in did not lead to the security code screen")
