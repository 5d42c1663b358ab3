"""Cost estimates: one section per estimate, with its procedures."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, Response

from portals.navigation import errors_mapped, goto
from portals.page_reading import read_definitions, read_table

ESTIMATE_TERMS = ("Planned service date", "Account number", "Status", "Your estimated cost",
                  "Deposit due")  # fmt: skip
PROCEDURE_COLUMNS = ("Procedure code", "Description", "Expected charge", "Your estimated cost")
_ESTIMATE_NAME = re.compile(r"^Estimate (?P<id>\S+)$")


class EstimatesPage:
    STEP = "estimates"
    PATH = "/portal/estimates"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.url = f"{base_url}{self.PATH}"
        # "Cost estimates" (2024), "Your cost estimates" (the redesign)
        self.heading = page.get_by_role(
            "heading", name=re.compile(r"^(your )?cost estimates$", re.IGNORECASE)
        )
        self.sections = page.get_by_role("region", name=re.compile(r"^Estimate "))
        self.none_notice = page.get_by_text("You have no cost estimates")

    async def open(self) -> Response | None:
        return await goto(self.page, self.url, self.STEP)

    async def is_shown(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.heading.is_visible()

    async def has_none(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.none_notice.is_visible()

    async def estimates(self) -> list[tuple[str, dict[str, str], list[dict[str, str]]]]:
        """(estimate number, its details, its procedure rows) for each estimate shown."""
        async with errors_mapped(self.STEP):
            found = []
            for section in await self.sections.all():
                found.append(await self._read(section))
            return found

    async def _read(self, section: Locator) -> tuple[str, dict[str, str], list[dict[str, str]]]:
        heading = (await section.get_by_role("heading").first.inner_text()).strip()
        match = _ESTIMATE_NAME.match(heading)
        number = match["id"] if match else ""
        fields = await read_definitions(section, ESTIMATE_TERMS, "estimate")
        table = section.get_by_role("table")
        rows = await read_table(table, PROCEDURE_COLUMNS, "estimate procedures")
        return number, fields, rows
