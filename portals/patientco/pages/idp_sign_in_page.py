"""Patientco ID's sign-in screen (the identity provider's origin): email or username, password.

Its heading has changed wording between releases ("Sign in to your organization", "Sign in to
Patientco ID"); the fields and the "Continue" button kept their names.
"""

from __future__ import annotations

import re

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.password_entry_page import PasswordEntryPage

HEADING = re.compile(r"^sign in to (your organi[sz]ation|patientco id)$", re.IGNORECASE)
NOT_A_ROBOT = re.compile(r"not a robot", re.IGNORECASE)
CAPTCHA = re.compile(r"captcha", re.IGNORECASE)


class IdpSignInPage(PasswordEntryPage):
    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name=HEADING)
        self.login = page.get_by_label("Email or username")
        self.password = page.get_by_label("Password")
        self.sign_in_button = page.get_by_role("button", name="Continue")
        # A challenge only a person can answer: never clicked, reported.
        self.captcha = page.get_by_role("checkbox", name=NOT_A_ROBOT).or_(
            page.get_by_role("img", name=CAPTCHA)
        )

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.login.is_visible()

    async def has_sign_in_button(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.sign_in_button.is_visible()

    async def asks_for_captcha(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.captcha.count() > 0
