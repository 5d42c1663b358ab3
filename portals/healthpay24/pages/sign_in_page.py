"""The sign-in screen: User ID and password."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import text_or_none


class SignInPage:
    STEP = "login"
    PATH = "/signin"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Patient sign in")
        self.user_id = page.get_by_label("User ID")
        self.password = page.get_by_label("Password")
        self.continue_button = page.get_by_role("button", name="Continue")
        self.alert = page.get_by_role("alert")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def sign_in(self, user_id: str, password: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.user_id.fill(user_id)
            await self.password.fill(password)
        return await navigate_by(self.page, self.continue_button.click, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.continue_button.is_visible()

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
