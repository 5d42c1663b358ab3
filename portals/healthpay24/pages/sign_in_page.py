"""The sign-in screen: User ID and password (and, when HealthPay24 puts one in front, a
CAPTCHA only a person may answer)."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.password_entry_page import PasswordEntryPage

_HEADING = re.compile(r"^(patient sign in|sign in to your account)$", re.IGNORECASE)
_NOT_A_ROBOT = re.compile(r"not a robot", re.IGNORECASE)
_CAPTCHA = re.compile(r"captcha|security check", re.IGNORECASE)


class SignInPage(PasswordEntryPage):
    PATH = "/signin"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        # "Patient sign in" (2024), "Sign in to your account" (the redesign)
        self.heading = page.get_by_role("heading", name=_HEADING)
        self.login = page.get_by_label("User ID")
        self.password = page.get_by_label("Password", exact=True)
        self.sign_in_button = page.get_by_role("button", name="Continue")
        self.captcha = page.get_by_role("checkbox", name=_NOT_A_ROBOT).or_(
            page.get_by_role("group", name=_CAPTCHA)
        )

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.sign_in_button.is_visible()

    async def asks_for_captcha(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.captcha.first.is_visible()
