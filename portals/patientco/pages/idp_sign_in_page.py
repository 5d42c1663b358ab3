"""Patientco ID's sign-in screen (the identity provider's origin): email or username, password."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.password_entry_page import PasswordEntryPage


class IdpSignInPage(PasswordEntryPage):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Sign in to your organization")
        self.login = page.get_by_label("Email or username")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Continue")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.login.is_visible()
