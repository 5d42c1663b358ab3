"""One guarantor account: guarantor facts, patients (MRNs), encounters, wallet."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, Response

from portals.navigation import errors_mapped, goto
from portals.patientco.pages.reading import read_facts_if_shown, read_table

GUARANTOR_TERMS = ("Guarantor #", "Name", "Date of birth", "Account #", "Account status",
                   "Account balance")  # fmt: skip
PATIENT_COLUMNS = ("MRN", "Patient", "DOB", "Relationship")
ENCOUNTER_COLUMNS = ("Encounter", "Date of service", "MRN", "Facility", "Service line")


class AccountPage:
    STEP = "account"

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.not_found_heading = page.get_by_role("heading", name="Account not found")
        self.guarantor = page.get_by_role("region", name="Guarantor")
        self.patients_table = page.get_by_role("table", name="Patients")
        self.encounters_table = page.get_by_role("table", name="Encounters")

    async def open(self, account_number: str) -> Response | None:
        url = f"{self.base_url}/accounts/{quote(account_number, safe='')}"
        return await goto(self.page, url, self.STEP)

    async def is_not_found(self) -> bool:
        async with errors_mapped(self.STEP):
            return await self.not_found_heading.is_visible()

    async def guarantor_facts(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.guarantor, GUARANTOR_TERMS, "guarantor")

    async def patients(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table(self.patients_table, PATIENT_COLUMNS, "patients")

    async def encounters(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table(self.encounters_table, ENCOUNTER_COLUMNS, "encounters")
