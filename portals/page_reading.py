"""Reading a portal page's accessible tables and description lists into plain strings.

Every vendor's page objects use these; which table or region to read (its role and name) and
which columns or terms it must have stay in the vendor's page object. A missing column or term
is PortalChanged: a changed page must fail loudly, never be guessed at.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page

from models.errors import PortalChanged


async def read_table(
    table: Locator, required: tuple[str, ...], what: str, *, headers_any_case: bool = False
) -> list[dict[str, str]]:
    """Rows as {column header: text}; PortalChanged if a required column is gone.

    A row's values are its row header (``<th scope="row">``, which HealthPay24 uses for a row's
    identifying cell) and its cells, in page order. With ``headers_any_case`` a column matches
    a required name whatever its case (a console that styles its headers upper-case) and the
    row is keyed by the required spelling.
    """
    headers = [text.strip() for text in await table.get_by_role("columnheader").all_inner_texts()]
    names = _column_names(headers, required, what, any_case=headers_any_case)
    rows = []
    for row in await table.get_by_role("row").all():
        values = row.get_by_role("rowheader").or_(row.get_by_role("cell"))
        cells = [text.strip() for text in await values.all_inner_texts()]
        if not cells:
            continue  # the header row
        if len(cells) != len(names):
            raise PortalChanged(f"{what} table row does not match its header")
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


async def read_definitions(
    container: Locator, required: tuple[str, ...], what: str, *, pairs: str = "term/definition"
) -> dict[str, str]:
    """A description list as {term: definition}; PortalChanged if a required term is gone.

    ``pairs`` only words the PortalChanged message when terms and definitions do not pair up.
    """
    terms = [text.strip() for text in await container.get_by_role("term").all_inner_texts()]
    values = [text.strip() for text in await container.get_by_role("definition").all_inner_texts()]
    if len(terms) != len(values):
        raise PortalChanged(f"{what} details are not in {pairs} pairs")
    found = dict(zip(terms, values, strict=True))
    missing = [name for name in required if name not in found]
    if missing:
        raise PortalChanged(f"{what} details have no {', '.join(missing)}")
    return found


async def read_table_if_shown(
    table: Locator, required: tuple[str, ...], what: str, *, headers_any_case: bool = False
) -> list[dict[str, str]]:
    """``read_table``, or [] when the page shows no such table (an empty list, a refusal page):
    the adapter, not the page object, decides whether that means the portal changed."""
    if await table.count() == 0:
        return []
    return await read_table(table, required, what, headers_any_case=headers_any_case)


async def read_definitions_if_shown(
    container: Locator, required: tuple[str, ...], what: str, *, pairs: str = "term/definition"
) -> dict[str, str]:
    """``read_definitions``, or {} when the page shows no such region."""
    if await container.count() == 0:
        return {}
    return await read_definitions(container, required, what, pairs=pairs)


async def text_or_none(locator: Locator) -> str | None:
    """The first match's text, or None when nothing matches."""
    if await locator.count() == 0:
        return None
    return (await locator.first.inner_text()).strip()


async def alert_messages(alert: Locator) -> list[str]:
    """A form's error alert as its list items, or its whole text when it has no list; [] when
    the form shows no alert."""
    if await alert.count() == 0:
        return []
    items = await alert.first.get_by_role("listitem").all_inner_texts()
    return [item.strip() for item in items] or [await alert.first.inner_text()]


async def main_heading_text(page: Page) -> str | None:
    """The page's first level-1 heading, or None when it has none."""
    return await text_or_none(page.get_by_role("heading", level=1))


def _column_names(
    headers: list[str], required: tuple[str, ...], what: str, *, any_case: bool
) -> list[str]:
    if not any_case:
        missing = [name for name in required if name not in headers]
        names = headers
    else:
        missing = [name for name in required if name.upper() not in (h.upper() for h in headers)]
        names = [next((r for r in required if r.upper() == h.upper()), h) for h in headers]
    if missing:
        raise PortalChanged(f"{what} table has no column {', '.join(missing)}")
    return names
