"""The sign-in screen: User ID and password."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.password_entry_page import PasswordEntryPage


class SignInPage(PasswordEntryPage):
    PATH = "/signin"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page)
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Patient sign in")
        self.login = page.get_by_label("User ID")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Continue")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.sign_in_button.is_visible()
