"""``/accounts``: the portal accounts the syncs read, each with its patient (guarantor)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from models.pages import Page
from models.read_api import AccountPublic, AccountQuery
from starters.api.dependencies import ReadKey, Services
from starters.api.read_answers import ONE_PROBLEMS, READ_PROBLEMS, found, refresh_list, refresh_one

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=Page[AccountPublic], responses=READ_PROBLEMS)
async def list_accounts(
    caller: ReadKey, services: Services, query: Annotated[AccountQuery, Query()], response: Response
) -> Page[AccountPublic]:
    await refresh_list(services, caller, query, response)
    page = await asyncio.to_thread(
        services.reads.list_accounts, caller.tenant_id, query.narrowing(), query.page()
    )
    return Page[AccountPublic](
        data=[AccountPublic.of(a) for a in page.data], has_more=page.has_more
    )


@router.get("/{account_id}", response_model=AccountPublic, responses=ONE_PROBLEMS)
async def get_account(
    account_id: str, caller: ReadKey, services: Services, response: Response,
    refresh: Annotated[bool, Query(description="sync its connection first (bounded)")] = False,
) -> AccountPublic:  # fmt: skip
    def read() -> AccountPublic:
        return AccountPublic.of(services.reads.get_account(caller.tenant_id, account_id))

    shown = await found("account", account_id, read)
    if await refresh_one(services, refresh, shown.connection_id, response):
        shown = await found("account", account_id, read)
    return shown
