"""Patientco ID's code screen: an authenticator code or an emailed one, "Trust this browser"."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, Response

from portals.navigation import errors_mapped, goto, navigate_by


class IdpVerifyPage:
    STEP = "mfa"

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", name="Verify your identity")
        self.timed_out_heading = page.get_by_role("heading", name="Your sign-in has timed out")
        self.code = page.get_by_label("Security code")
        self.trust = page.get_by_role("checkbox", name="Trust this browser")
        self.verify_button = page.get_by_role("button", name="Verify")
        self.resend_button = page.get_by_role("button", name="Resend code")
        self.sent_notice = page.get_by_text(re.compile(r"^We sent a 6-digit code to"))
        self.authenticator_hint = page.get_by_text(re.compile(r"authenticator app and enter"))
        self.alert = page.get_by_role("alert")

    async def open(self, idp_origin: str) -> Response | None:
        return await goto(self.page, f"{idp_origin}/signin/verify", self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.code.is_visible()

    async def is_timed_out(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.timed_out_heading.is_visible()

    async def enter_code(self, code: str, *, remember_device: bool) -> Response | None:
        """``remember_device`` ticks "Trust this browser"."""
        async with errors_mapped(self.STEP):
            await self.code.fill(code)
            if remember_device:
                await self.trust.check()
        return await navigate_by(self.page, self.verify_button.click, self.STEP)

    async def request_new_code(self) -> Response | None:
        return await navigate_by(self.page, self.resend_button.click, self.STEP)

    async def sent_notice_text(self) -> str | None:
        return await self._text_of(self.sent_notice)

    async def authenticator_hint_text(self) -> str | None:
        return await self._text_of(self.authenticator_hint)

    async def alert_text(self) -> str | None:
        return await self._text_of(self.alert)

    async def _text_of(self, locator: Locator) -> str | None:
        async with errors_mapped(self.STEP):
            if await locator.count() == 0:
                return None
            return (await locator.first.inner_text()).strip()
