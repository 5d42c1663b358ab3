"""The two-step verification screen: a 6-digit code from an app, a text or an email."""

from __future__ import annotations

import re

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by


class MfaPage:
    STEP = "mfa"
    PATH = "/mfa"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Two-step verification")
        self.code = page.get_by_label("Verification code")
        self.remember_device = page.get_by_role("checkbox", name="Remember this device")
        self.verify_button = page.get_by_role("button", name="Verify")
        self.resend_button = page.get_by_role("button", name="Send a new code")
        self.sent_notice = page.get_by_text(re.compile(r"^We (sent|emailed) a code to"))
        self.authenticator_hint = page.get_by_text("from your authenticator app")
        self.alert = page.get_by_role("alert")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.code.is_visible()

    async def enter_code(self, code: str, *, remember_device: bool) -> Response | None:
        async with errors_mapped(self.STEP):
            await self.code.fill(code)
            if remember_device:
                await self.remember_device.check()
        return await navigate_by(self.page, self.verify_button.click, self.STEP)

    async def request_new_code(self) -> Response | None:
        return await navigate_by(self.page, self.resend_button.click, self.STEP)

    async def sent_notice_text(self) -> str | None:
        """ "We sent a code to …" (text message) or "We emailed a code to …"."""
        async with errors_mapped(self.STEP):
            if await self.sent_notice.count() == 0:
                return None
            return (await self.sent_notice.first.inner_text()).strip()

    async def authenticator_hint_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            if await self.authenticator_hint.count() == 0:
                return None
            return (await self.authenticator_hint.first.inner_text()).strip()

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            if await self.alert.count() == 0:
                return None
            return (await self.alert.first.inner_text()).strip()
