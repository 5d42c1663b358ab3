"""``/patients``: the guarantors the syncs read, with their accounts' balances summed and
the coverage indicators their portals show."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from models.pages import Page
from models.read_api import PatientPublic, PatientQuery
from starters.api.dependencies import ReadKey, Services
from starters.api.read_answers import ONE_PROBLEMS, READ_PROBLEMS, found, refresh_list, refresh_one

router = APIRouter(prefix="/patients", tags=["patients"])


@router.get("", response_model=Page[PatientPublic], responses=READ_PROBLEMS)
async def list_patients(
    caller: ReadKey, services: Services, query: Annotated[PatientQuery, Query()], response: Response
) -> Page[PatientPublic]:
    await refresh_list(services, caller, query, response)
    page = await asyncio.to_thread(
        services.reads.list_patients, caller.tenant_id, query.narrowing(), query.page()
    )
    return Page[PatientPublic](
        data=[PatientPublic.of(p) for p in page.data], has_more=page.has_more
    )


@router.get("/{patient_id}", response_model=PatientPublic, responses=ONE_PROBLEMS)
async def get_patient(
    patient_id: str, caller: ReadKey, services: Services, response: Response,
    refresh: Annotated[bool, Query(description="sync its connection first (bounded)")] = False,
) -> PatientPublic:  # fmt: skip
    def read() -> PatientPublic:
        return PatientPublic.of(services.reads.get_patient(caller.tenant_id, patient_id))

    shown = await found("patient", patient_id, read)
    if await refresh_one(services, refresh, shown.connection_id, response):
        shown = await found("patient", patient_id, read)
    return shown
