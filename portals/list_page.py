"""What every page object of one table at a fixed address does alike.

A list screen (statements, accounts, payments) opens at ``PATH``, is recognised by its
heading and reads its table's rows (``COLUMNS`` required; ``TABLE`` names it in a
PortalChanged message). ``PagedListPage`` adds a "Next" link, ``SearchedListPage`` a search
box and an empty-result notice. The vendor's page object sets the locators, by role, label and
text, in its ``__init__`` (after ``super().__init__(page, base_url)``).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

from playwright.async_api import Locator, Page, Response

from models.errors import PortalChanged
from portals.navigation import errors_mapped, goto, navigate_by
from portals.page_reading import read_table_if_shown


class ListPage:
    STEP: ClassVar[str]
    PATH: ClassVar[str]  # "/statements"
    COLUMNS: ClassVar[tuple[str, ...]]
    TABLE: ClassVar[str]  # "statements"
    # A console that styles its column headers upper-case (see page_reading.read_table).
    HEADERS_ANY_CASE: ClassVar[bool] = False

    heading: Locator
    table: Locator

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def rows(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table_if_shown(
                self.table, self.COLUMNS, self.TABLE, headers_any_case=self.HEADERS_ANY_CASE
            )


class PagedListPage(ListPage):
    next_link: Locator

    async def has_next(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.next_link.count() > 0

    async def go_next(self) -> Response | None:
        return await navigate_by(self.page, self.next_link.click, self.STEP)


class SearchedListPage(ListPage):
    # The search form's field as its GET address carries it ("reference" for ?reference=…).
    SEARCH_PARAMETER: ClassVar[str]

    search_box: Locator
    empty_notice: Locator

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible() and await self.search_box.is_visible()

    async def open_searched(self, text: str) -> Response | None:
        """The results of a search in one navigation, at the address the search form sends
        to; ``shows_search_for`` then tells whether the portal applied it."""
        query = urlencode({self.SEARCH_PARAMETER: text})
        return await goto(self.page, f"{self.url}?{query}", self.STEP)

    async def shows_search_for(self, text: str) -> bool:
        """Whether the search box holds ``text``: a portal that stopped reading the parameter
        lists everything unfiltered, where a row missing would wrongly mean "not paid"."""
        async with errors_mapped(self.STEP):
            return await self.search_box.input_value() == text

    async def require_search_for(self, text: str) -> None:
        """PortalChanged unless the results are those of a search for ``text``."""
        if not await self.shows_search_for(text):
            raise PortalChanged(f"{self.STEP}: the search address no longer filters by reference")

    async def is_empty(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.empty_notice.is_visible()
