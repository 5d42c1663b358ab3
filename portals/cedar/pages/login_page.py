"""The sign-in screen: username and password."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by


class LoginPage:
    STEP = "login"
    PATH = "/login"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.username = page.get_by_label("Username")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Sign in")
        self.alert = page.get_by_role("alert")
        self.expired_notice = page.get_by_text("Your session has expired")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def sign_in(self, username: str, password: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.username.fill(username)
            await self.password.fill(password)
        return await navigate_by(self.page, self.sign_in_button.click, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.sign_in_button.is_visible()

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            if await self.alert.count() == 0:
                return None
            return (await self.alert.first.inner_text()).strip()
