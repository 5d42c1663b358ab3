"""What every sign-in password screen does alike, whatever the vendor calls its fields.

``SignInFlow`` (its ``PasswordPage`` protocol) fills the login name and the password,
submits, and reads the alert of a refusal. The vendor's page object sets the locators, by role,
label and text, in its ``__init__`` (after ``super().__init__(page)``), and says how the screen
is opened and when it is shown.
"""

from __future__ import annotations

from typing import ClassVar

from playwright.async_api import Locator, Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import text_or_none


class PasswordEntryPage:
    STEP: ClassVar[str] = "login"

    login: Locator  # the vendor's "Username" / "User ID" / "Email or username"
    password: Locator
    sign_in_button: Locator

    def __init__(self, page: Page) -> None:
        self.page = page
        self.alert = page.get_by_role("alert")

    async def sign_in(self, username: str, password: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.login.fill(username)
            await self.password.fill(password)
        return await navigate_by(self.page, self.sign_in_button.click, self.STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
