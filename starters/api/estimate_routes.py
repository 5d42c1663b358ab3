"""``/estimates``: the pre-service estimates the syncs read, where the portal offers them
(HealthPay24 today)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from models.pages import Page
from models.read_api import BilledQuery, EstimatePublic
from starters.api.dependencies import ReadKey, Services
from starters.api.read_answers import ONE_PROBLEMS, READ_PROBLEMS, found, refresh_list, refresh_one

router = APIRouter(prefix="/estimates", tags=["estimates"])


@router.get("", response_model=Page[EstimatePublic], responses=READ_PROBLEMS)
async def list_estimates(
    caller: ReadKey, services: Services, query: Annotated[BilledQuery, Query()], response: Response
) -> Page[EstimatePublic]:
    await refresh_list(services, caller, query, response)
    page = await asyncio.to_thread(
        services.reads.list_estimates, caller.tenant_id, query.narrowing(), query.page()
    )
    return Page[EstimatePublic](
        data=[EstimatePublic.of(e) for e in page.data], has_more=page.has_more
    )


@router.get("/{estimate_id}", response_model=EstimatePublic, responses=ONE_PROBLEMS)
async def get_estimate(
    estimate_id: str, caller: ReadKey, services: Services, response: Response,
    refresh: Annotated[bool, Query(description="sync its connection first (bounded)")] = False,
) -> EstimatePublic:  # fmt: skip
    def read() -> EstimatePublic:
        return EstimatePublic.of(services.reads.get_estimate(caller.tenant_id, estimate_id))

    shown = await found("estimate", estimate_id, read)
    if await refresh_one(services, refresh, shown.connection_id, response):
        shown = await found("estimate", estimate_id, read)
    return shown
