"""What every read endpoint shares: the read model off the event loop, another tenant's
object as a 404, and ``?refresh=true`` (a bounded sync first, its outcome in a header).

Reads never touch a browser: a refresh starts (or joins) the connection's sync workflow
and waits for it at most ``BILLBRIDGE_API_REFRESH_TIMEOUT_SECONDS``; past that, or when
the sync fails, the answer is the data held, with ``BillBridge-Refresh`` saying why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Response

from models.api_keys import ApiKeyPublic
from models.read_api import ReadQuery, RefreshOutcome
from starters.api.problems import ApiProblem, Problem
from starters.api.services import ApiServices
from stores.read_model.synced_objects import SyncedObjectNotFound
from stores.read_model.tenant_connections import TenantConnectionNotFound

T = TypeVar("T")
REFRESH_HEADER = "BillBridge-Refresh"

READ_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the read scope"},
    422: {"model": Problem, "description": "invalid request (a bad cursor or filter)"},
}
ONE_PROBLEMS = {**READ_PROBLEMS, 404: {"model": Problem, "description": "no such object here"}}


async def found(kind: str, object_id: str, read: Callable[[], T]) -> T:
    try:
        return await asyncio.to_thread(read)
    except SyncedObjectNotFound:
        raise ApiProblem(404, "not_found", f"no {kind} {object_id} in this tenant") from None


async def refresh_list(
    services: ApiServices, caller: ApiKeyPublic, query: ReadQuery, response: Response
) -> None:
    """Sync the list's connection (or every connection of the tenant) first, if asked."""
    if not query.refresh:
        return
    if query.connection_id is None:
        ids = await asyncio.to_thread(services.connections.ids_of, caller.tenant_id)
    else:
        try:
            await asyncio.to_thread(services.connections.get, caller.tenant_id, query.connection_id)
            ids = [query.connection_id]
        except TenantConnectionNotFound:
            ids = []  # another tenant's connection: its (empty) list, never its sync
    await _refresh(services, ids, response)


async def refresh_one(
    services: ApiServices, refresh: bool, connection_id: str, response: Response
) -> bool:
    """Sync the object's connection first, if asked; True when it did (read it again)."""
    if refresh:
        await _refresh(services, [connection_id], response)
    return refresh


async def _refresh(services: ApiServices, ids: list[str], response: Response) -> None:
    outcome: RefreshOutcome = await services.sync.refresh(ids)
    response.headers[REFRESH_HEADER] = outcome.value
