"""What every sign-in code screen does alike, whatever the vendor calls it.

``SignInFlow`` (its ``CodePage`` protocol) drives a code screen through these methods: is it
shown, enter a code (ticking the vendor's "remember" box when asked), ask for a new one, and
read the "we sent a code to …" notice, the authenticator hint and the alert. The vendor's page
object sets the locators, by role, label and text, in its ``__init__`` (after
``super().__init__(page)``) and says how the screen is opened.
"""

from __future__ import annotations

from typing import ClassVar

from playwright.async_api import Locator, Page, Response

from portals.navigation import errors_mapped, navigate_by
from portals.page_reading import text_or_none


class CodeEntryPage:
    STEP: ClassVar[str] = "mfa"

    heading: Locator
    code: Locator
    remember_device: Locator  # the vendor's "Remember this device" / "Trust this browser"
    verify_button: Locator
    resend_button: Locator
    sent_notice: Locator
    authenticator_hint: Locator

    def __init__(self, page: Page) -> None:
        self.page = page
        self.alert = page.get_by_role("alert")

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
        return await self._text_of(self.sent_notice)

    async def authenticator_hint_text(self) -> str | None:
        return await self._text_of(self.authenticator_hint)

    async def alert_text(self) -> str | None:
        return await self._text_of(self.alert)

    async def _text_of(self, locator: Locator) -> str | None:
        async with errors_mapped(self.STEP):
            return await text_or_none(locator)
