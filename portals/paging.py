"""Reading a paged list to its end: every page's rows, following "Next" a bounded number of
times (a portal that never stops paging is a changed portal, not an endless loop)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from playwright.async_api import Response

from models.errors import PortalChanged
from portals.list_page import PagedListPage


async def rows_page_by_page(
    listing: PagedListPage,
    *,
    max_pages: int,
    after_next: Callable[[Response | None], object],
) -> AsyncIterator[list[dict[str, str]]]:
    """The open list's rows, then each next page's; ``after_next`` sees every page "Next" loads
    (the adapter's signed-out check) before its rows are read. PortalChanged after
    ``max_pages`` more pages."""
    yield await listing.rows()
    for _ in range(max_pages):
        if not await listing.has_next():
            return
        after_next(await listing.go_next())
        yield await listing.rows()
    raise PortalChanged(f"{listing.STEP}: more than {max_pages} pages")
