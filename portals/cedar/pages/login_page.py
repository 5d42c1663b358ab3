"""The sign-in screen: username and password."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.password_entry_page import PasswordEntryPage


class LoginPage(PasswordEntryPage):
    PATH = "/login"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        self.login = page.get_by_label("Username")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Sign in")
        self.expired_notice = page.get_by_text("Your session has expired")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.sign_in_button.is_visible()
