"""What every page object of one record (a statement, an account, a payment) does alike.

Such a screen opens at a URL naming the record, answers "… not found" (a heading) when the
login has no such record, and names the record in its level-1 heading. The vendor's page
object says where (``PATH``, with ``{}`` for the quoted identifier) and with which words
(``NOT_FOUND``), and adds its own locators and readers.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import quote

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import main_heading_text

HTTP_NOT_FOUND = 404


class RecordPage:
    STEP: ClassVar[str]
    PATH: ClassVar[str]  # "/statements/{}"
    NOT_FOUND: ClassVar[str]  # "Statement not found"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.not_found_heading = page.get_by_role("heading", name=self.NOT_FOUND)

    async def open(self, identifier: str) -> Response | None:
        url = f"{self.base_url}{self.PATH.format(quote(identifier, safe=''))}"
        return await goto(self.page, url, self.STEP)

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def is_missing(self, response: Response | None) -> bool:
        """After ``open``: the portal has no such record, by status code or by page."""
        if response is not None and response.status == HTTP_NOT_FOUND:
            return True
        return await self.is_not_found()

    async def heading_text(self) -> str | None:
        async with errors_mapped(self.STEP):
            return await main_heading_text(self.page)
