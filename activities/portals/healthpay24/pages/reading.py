"""Reading HealthPay24's accessible tables and description lists into plain strings.

HealthPay24 marks each row's identifying cell as a row header (``<th scope="row">``), so a
row's values are its row header and its cells, in page order.
"""

from __future__ import annotations

from playwright.async_api import Locator

from models.errors import PortalChanged


async def read_table(table: Locator, required: tuple[str, ...], what: str) -> list[dict[str, str]]:
    """Rows as {column header: text}; PortalChanged if a required column is gone."""
    headers = [text.strip() for text in await table.get_by_role("columnheader").all_inner_texts()]
    missing = [name for name in required if name not in headers]
    if missing:
        raise PortalChanged(f"{what} table has no column {', '.join(missing)}")
    rows = []
    for row in await table.get_by_role("row").all():
        values = row.get_by_role("rowheader").or_(row.get_by_role("cell"))
        cells = [text.strip() for text in await values.all_inner_texts()]
        if not cells:
            continue  # the header row
        if len(cells) != len(headers):
            raise PortalChanged(f"{what} table row does not match its header")
        rows.append(dict(zip(headers, cells, strict=True)))
    return rows


async def read_fields(container: Locator, required: tuple[str, ...], what: str) -> dict[str, str]:
    """A description list as {term: definition}; PortalChanged if a required term is gone."""
    terms = [text.strip() for text in await container.get_by_role("term").all_inner_texts()]
    values = [text.strip() for text in await container.get_by_role("definition").all_inner_texts()]
    if len(terms) != len(values):
        raise PortalChanged(f"{what} details are not in term/definition pairs")
    found = dict(zip(terms, values, strict=True))
    missing = [name for name in required if name not in found]
    if missing:
        raise PortalChanged(f"{what} details have no {', '.join(missing)}")
    return found


async def text_or_none(locator: Locator) -> str | None:
    """The first match's text, or None when nothing matches."""
    if await locator.count() == 0:
        return None
    return (await locator.first.inner_text()).strip()
