"""Reading a paged list to its end, over a fake list screen (the real ones are exercised in
tests/integration, one file per adapter)."""

from __future__ import annotations

import pytest
from playwright.async_api import Response

from models.errors import PortalChanged
from portals.list_page import PagedListPage
from portals.paging import rows_page_by_page


class FakeListing(PagedListPage):
    STEP = "statements"

    def __init__(self, pages: list[list[str]]) -> None:  # no browser: not super().__init__
        self.pages = pages
        self.at = 0

    async def rows(self) -> list[dict[str, str]]:
        return [{"Statement": name} for name in self.pages[self.at]]

    async def has_next(self) -> bool:
        return self.at + 1 < len(self.pages)

    async def go_next(self) -> Response | None:
        self.at += 1
        return None


async def test_every_page_in_order_with_a_check_after_each_next() -> None:
    listing = FakeListing([["S1", "S2"], ["S3"], ["S4"]])
    checked: list[int] = []
    pages = rows_page_by_page(listing, max_pages=5, after_next=lambda _: checked.append(listing.at))
    rows = [row["Statement"] async for page in pages for row in page]
    assert rows == ["S1", "S2", "S3", "S4"]
    assert checked == [1, 2]


async def test_a_list_longer_than_the_bound_is_portal_changed() -> None:
    listing = FakeListing([["S1"], ["S2"], ["S3"]])
    with pytest.raises(PortalChanged) as caught:
        [page async for page in rows_page_by_page(listing, max_pages=1, after_next=lambda _: None)]
    assert caught.value.message == "statements: more than 1 pages"
