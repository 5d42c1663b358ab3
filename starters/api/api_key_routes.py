"""``/api-keys``: a tenant's admin key manages the tenant's keys (the CLI manages all)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from models.api_keys import SLUG_PATTERN, ApiKeyPublic, Scope
from models.pages import Page, PageRequest
from starters.api.dependencies import AdminKey, Services
from starters.api.problems import ApiProblem, Problem
from stores.read_model.api_keys import ApiKeyNotFound

router = APIRouter(prefix="/api-keys", tags=["api keys"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the admin scope"},
    422: {"model": Problem, "description": "invalid request"},
}


class ApiKeyCreate(BaseModel):
    # The store refuses any other name; the document says so, so a caller's generated
    # client (and the fuzzing test) knows before sending.
    name: str = Field(
        pattern=SLUG_PATTERN,
        min_length=1,
        max_length=63,
        description="a slug (lower-case letters, digits, _ and -), unique in the tenant for good",
    )
    scopes: list[Scope] = Field(min_length=1)


class NewApiKey(ApiKeyPublic):
    key: str = Field(description="the key itself: shown this once, stored only as a hash")


def _not_found(key_id: str) -> ApiProblem:
    return ApiProblem(404, "not_found", f"no API key {key_id} in this tenant")


@router.get("", response_model=Page[ApiKeyPublic], responses=_PROBLEMS)
async def list_api_keys(
    caller: AdminKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[ApiKeyPublic]:
    return await asyncio.to_thread(services.api_keys.list, paging, caller.tenant_id)


@router.post("", status_code=201, response_model=NewApiKey, responses=_PROBLEMS)
async def create_api_key(body: ApiKeyCreate, caller: AdminKey, services: Services) -> NewApiKey:
    created = await asyncio.to_thread(
        services.api_keys.create, caller.tenant_id, body.name, body.scopes
    )
    return NewApiKey(**created.model_dump(exclude={"key"}), key=created.key.get_secret_value())


@router.get(
    "/{key_id}",
    response_model=ApiKeyPublic,
    responses={**_PROBLEMS, 404: {"model": Problem, "description": "no such key here"}},
)
async def get_api_key(key_id: str, caller: AdminKey, services: Services) -> ApiKeyPublic:
    try:
        return await asyncio.to_thread(services.api_keys.get, key_id, caller.tenant_id)
    except ApiKeyNotFound:
        raise _not_found(key_id) from None


@router.delete(
    "/{key_id}",
    response_model=ApiKeyPublic,
    responses={**_PROBLEMS, 404: {"model": Problem, "description": "no such key here"}},
    summary="Revoke a key, at once and for good",
)
async def revoke_api_key(key_id: str, caller: AdminKey, services: Services) -> ApiKeyPublic:
    try:
        return await asyncio.to_thread(services.api_keys.revoke, key_id, caller.tenant_id)
    except ApiKeyNotFound:
        raise _not_found(key_id) from None
