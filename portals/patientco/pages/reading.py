"""The console's tables and fact lists, read with the shared page reader.

The console styles its column headers upper-case (and innerText shows them so), so columns
match whatever their case; rows are keyed by the spelling the page objects ask for.
"""

from __future__ import annotations

from playwright.async_api import Locator

from portals import page_reading


async def read_table(table: Locator, required: tuple[str, ...], what: str) -> list[dict[str, str]]:
    """Rows as {column header: cell text}; PortalChanged if a required column is gone."""
    return await page_reading.read_table(table, required, what, headers_any_case=True)


async def read_table_if_shown(
    table: Locator, required: tuple[str, ...], what: str
) -> list[dict[str, str]]:
    """``read_table``, or [] when the console shows no such table."""
    return await page_reading.read_table_if_shown(table, required, what, headers_any_case=True)


async def read_facts_if_shown(
    container: Locator, required: tuple[str, ...], what: str
) -> dict[str, str]:
    """A description list as {term: value} ({} when the console shows none); PortalChanged
    if a required term is gone."""
    return await page_reading.read_definitions_if_shown(
        container, required, what, pairs="term/value"
    )
