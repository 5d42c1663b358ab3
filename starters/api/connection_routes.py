"""``/connections``: a tenant's portal logins. Credentials go straight into the secret
store (the connection the worker reads holds references to them) and are never shown."""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query

from models.api_connections import (
    ConnectionCreate,
    ConnectionPublic,
    ConnectionRecord,
    status_of,
)
from models.api_keys import ApiKeyPublic
from models.connection_session import SessionView
from models.pages import Page, PageRequest
from starters.api.dependencies import AdminKey, ReadKey, Services
from starters.api.problems import ApiProblem, Problem
from starters.api.services import ApiServices
from stores.connections import save_connection
from stores.read_model.tenant_connections import TenantConnectionNotFound

router = APIRouter(prefix="/connections", tags=["connections"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the scope"},
    422: {"model": Problem, "description": "invalid request"},
    503: {"model": Problem, "description": "Temporal did not answer (temporal_unreachable)"},
}
_ONE = {**_PROBLEMS, 404: {"model": Problem, "description": "no such connection here"}}


def shown_connection(record: ConnectionRecord, view: SessionView | None) -> ConnectionPublic:
    status, challenge = status_of(view)
    return ConnectionPublic(
        id=record.id,
        portal=record.portal,
        base_url=record.base_url,
        status=status,
        session_started=view is not None,
        mfa_challenge=challenge,
        last_error=view.last_error if view is not None else None,
        created_at=record.created_at,
        synced_at=record.synced_at,
    )


async def _public(
    services: ApiServices, record: ConnectionRecord, caller: ApiKeyPublic
) -> ConnectionPublic:
    return shown_connection(record, await services.temporal.session_view(record.id, caller))


@router.post("", status_code=201, response_model=ConnectionPublic, responses=_PROBLEMS)
async def create_connection(
    body: ConnectionCreate, caller: AdminKey, services: Services
) -> ConnectionPublic:
    connection_id = f"conn_{secrets.token_hex(12)}"
    base_url = str(body.base_url).rstrip("/")
    record = await asyncio.to_thread(
        services.connections.add, caller.tenant_id, connection_id, body.portal, base_url
    )
    settings = services.settings
    try:
        await asyncio.to_thread(
            save_connection,
            settings,
            connection_id=connection_id,
            portal=body.portal,
            base_url=base_url,
            username=body.username.get_secret_value(),
            password=body.password.get_secret_value(),
            totp_secret=body.totp_secret.get_secret_value() if body.totp_secret else None,
            secret_store="aws-sm" if settings.aws_secrets_manager else "local",
        )
    except BaseException:
        await asyncio.to_thread(services.connections.remove, caller.tenant_id, connection_id)
        raise
    # Its sync Schedule; Temporal being down does not fail the creation (a caller would
    # retry it into a second connection): the API makes the Schedule later (sync_link.py).
    await services.sync.ensure_schedule(connection_id)
    # A new id has no session workflow yet: nothing to ask Temporal for its status.
    return shown_connection(record, None)


@router.get("", response_model=Page[ConnectionPublic], responses=_PROBLEMS)
async def list_connections(
    caller: ReadKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[ConnectionPublic]:
    page = await asyncio.to_thread(services.connections.list, caller.tenant_id, paging)
    shown = await asyncio.gather(*(_public(services, r, caller) for r in page.data))
    return Page[ConnectionPublic](data=list(shown), has_more=page.has_more)


@router.get("/{connection_id}", response_model=ConnectionPublic, responses=_ONE)
async def get_connection(
    connection_id: str, caller: ReadKey, services: Services
) -> ConnectionPublic:
    try:
        record = await asyncio.to_thread(services.connections.get, caller.tenant_id, connection_id)
    except TenantConnectionNotFound:
        raise ApiProblem(
            404, "not_found", f"no connection {connection_id} in this tenant"
        ) from None
    return await _public(services, record, caller)
