"""One guarantor account: guarantor facts, patients (MRNs), encounters, wallet."""

from __future__ import annotations

from playwright.async_api import Page

from portals.navigation import errors_mapped
from portals.patientco.pages.reading import read_facts_if_shown, read_table
from portals.record_page import RecordPage

GUARANTOR_TERMS = ("Guarantor #", "Name", "Date of birth", "Account #", "Account status",
                   "Account balance")  # fmt: skip
PATIENT_COLUMNS = ("MRN", "Patient", "DOB", "Relationship")
ENCOUNTER_COLUMNS = ("Encounter", "Date of service", "MRN", "Facility", "Service line")


class AccountPage(RecordPage):
    STEP = "account"
    PATH = "/accounts/{}"
    NOT_FOUND = "Account not found"

    def __init__(self, page: Page, base_url: str) -> None:
        super().__init__(page, base_url)
        self.guarantor = page.get_by_role("region", name="Guarantor")
        self.patients_table = page.get_by_role("table", name="Patients")
        self.encounters_table = page.get_by_role("table", name="Encounters")

    async def guarantor_facts(self) -> dict[str, str]:
        async with errors_mapped(self.STEP):
            return await read_facts_if_shown(self.guarantor, GUARANTOR_TERMS, "guarantor")

    async def patients(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table(self.patients_table, PATIENT_COLUMNS, "patients")

    async def encounters(self) -> list[dict[str, str]]:
        async with errors_mapped(self.STEP):
            return await read_table(self.encounters_table, ENCOUNTER_COLUMNS, "encounters")
