"""Verify your identity: a 6-digit security code from an authenticator app or a text."""

from __future__ import annotations

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import text_or_none


class VerificationPage:
    STEP = "mfa"
    PATH = "/signin/verify"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        self.heading = page.get_by_role("heading", name="Verify your identity")
        self.code = page.get_by_label("Security code")
        self.remember_device = page.get_by_role("checkbox", name="Remember this device")
        self.verify_button = page.get_by_role("button", name="Verify", exact=True)
        self.resend_button = page.get_by_role("button", name="Text me a new code")
        self.sent_notice = page.get_by_text("We texted a security code to")
        self.authenticator_hint = page.get_by_text("in your authenticator app")
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
        async with errors_mapped(self.STEP):
            return await text_or_none(self.sent_notice)

    async def authenticator_hint_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.authenticator_hint)

    async def alert_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(self.alert)
