"""Reading the console's accessible tables and fact lists into plain strings."""

from __future__ import annotations

from playwright.async_api import Locator

from models.errors import PortalChanged


async def read_table(table: Locator, required: tuple[str, ...], what: str) -> list[dict[str, str]]:
    """Rows as {column header: cell text}; PortalChanged if a required column is gone."""
    headers = [text.strip() for text in await table.get_by_role("columnheader").all_inner_texts()]
    # The console's headers are styled upper-case; the text itself is what matters.
    missing = [name for name in required if name.upper() not in (h.upper() for h in headers)]
    if missing:
        raise PortalChanged(f"{what} table has no column {', '.join(missing)}")
    names = [next((r for r in required if r.upper() == h.upper()), h) for h in headers]
    rows = []
    for row in await table.get_by_role("row").all():
        cells = [text.strip() for text in await row.get_by_role("cell").all_inner_texts()]
        if not cells:
            continue  # the header row
        if len(cells) != len(names):
            raise PortalChanged(f"{what} table row does not match its header")
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


async def read_facts(container: Locator, required: tuple[str, ...], what: str) -> dict[str, str]:
    """A description list as {term: value}; PortalChanged if a required term is gone."""
    terms = [text.strip() for text in await container.get_by_role("term").all_inner_texts()]
    values = [text.strip() for text in await container.get_by_role("definition").all_inner_texts()]
    if len(terms) != len(values):
        raise PortalChanged(f"{what} details are not in term/value pairs")
    found = dict(zip(terms, values, strict=True))
    missing = [name for name in required if name not in found]
    if missing:
        raise PortalChanged(f"{what} details have no {', '.join(missing)}")
    return found
