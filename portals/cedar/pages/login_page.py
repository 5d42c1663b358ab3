"""The sign-in screen: username and password."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.password_entry_page import PasswordEntryPage

# A bot check on the form: "I'm not a robot", or a challenge image or group named for it.
NOT_A_ROBOT = re.compile(r"not a robot", re.IGNORECASE)
CAPTCHA = re.compile(r"captcha|security check", re.IGNORECASE)


class LoginPage(PasswordEntryPage):
    PATH = "/login"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        self.login = page.get_by_label("Username")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Sign in")
        self.expired_notice = page.get_by_text("Your session has expired")
        self.captcha = (
            page.get_by_role("checkbox", name=NOT_A_ROBOT)
            .or_(page.get_by_role("img", name=CAPTCHA))
            .or_(page.get_by_role("group", name=CAPTCHA))
        )

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.sign_in_button.is_visible()

    async def has_every_field(self) -> bool:
        """Username, password and the sign-in button, checked at once (a missing one is found
        in milliseconds, not after the action timeout)."""
        async with errors_mapped(self.STEP):
            for control in (self.login, self.password, self.sign_in_button):
                if not await control.is_visible():
                    return False
            return True

    async def asks_for_captcha(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.captcha.first.is_visible()
