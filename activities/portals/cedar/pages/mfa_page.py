"""The two-step verification screen: a 6-digit code from an authenticator app."""

from __future__ import annotations

from playwright.async_api import Page, Response

from activities.portals.navigation import errors_mapped, navigate_by


class MfaPage:
    STEP = "mfa"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Two-step verification")
        self.code = page.get_by_label("Verification code")
        self.verify_button = page.get_by_role("button", name="Verify")
        self.alert = page.get_by_role("alert")

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.code.is_visible()

    async def enter_code(self, code: str) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.code.fill(code)
        return await navigate_by(self.page, self.verify_button.click, self.STEP)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            if await self.alert.count() == 0:
                return None
            return (await self.alert.first.inner_text()).strip()
