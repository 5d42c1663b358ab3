"""Patientco ID's sign-in screen (the identity provider's origin): email or username, password."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, navigate_by


class IdpSignInPage:
    STEP = "login"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Sign in to your organization")
        self.login = page.get_by_label("Email or username")
        self.password = page.get_by_label("Password")
        self.continue_button = page.get_by_role("button", name="Continue")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.login.is_visible()

    async def sign_in(self, login: str, password: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.login.fill(login)
            await self.password.fill(password)
        return await navigate_by(self.page, self.continue_button.click, self.STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            if await self.alert.count() == 0:
                return None
            return (await self.alert.first.inner_text()).strip()
