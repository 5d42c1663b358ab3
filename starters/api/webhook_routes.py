"""``/webhook-endpoints``: where a tenant's events are POSTed, signed per Standard Webhooks.

The signing secret is made here, put straight into the secret store and shown once, in the
creation's answer; the database holds only its reference. Deleting an endpoint disables it
(its past deliveries keep naming it, and deliveries still retrying stop).
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query

from models.connections import SecretRef
from models.pages import Page, PageRequest
from models.settings import Settings
from models.webhooks import (
    SECRET_PREFIX,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointPublic,
    WebhookEndpointRecord,
)
from starters.api.dependencies import AdminKey, Services
from starters.api.problems import ApiProblem, Problem
from stores.read_model.webhook_endpoints import WebhookEndpointNotFound, WebhookEndpoints
from stores.secrets import open_secret_store

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"])
_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the admin scope"},
    422: {"model": Problem, "description": "invalid request"},
}
_ONE = {**_PROBLEMS, 404: {"model": Problem, "description": "no such endpoint here"}}
# Standard Webhooks allows 24 to 64 bytes of key; 32 matches HMAC-SHA256's block of output.
_SECRET_BYTES = 32


def _public(record: WebhookEndpointRecord) -> WebhookEndpointPublic:
    return WebhookEndpointPublic(
        **record.model_dump(include=set(WebhookEndpointPublic.model_fields))
    )


def _not_found(endpoint_id: str) -> ApiProblem:
    return ApiProblem(404, "not_found", f"no webhook endpoint {endpoint_id} in this tenant")


def _secret_ref(settings: Settings, endpoint_id: str) -> SecretRef:
    if settings.aws_secrets_manager:
        return SecretRef(ref=f"aws-sm:billbridge/webhooks/{endpoint_id}/signing-secret")
    return SecretRef(ref=f"local:webhooks/{endpoint_id}/signing-secret")


def _store_secret(settings: Settings, ref: SecretRef, secret: str) -> None:
    open_secret_store(settings).put(ref, secret)


@router.post("", status_code=201, response_model=WebhookEndpointCreated, responses=_PROBLEMS)
async def create_webhook_endpoint(
    body: WebhookEndpointCreate, caller: AdminKey, services: Services
) -> WebhookEndpointCreated:
    if body.url.username or body.url.password:
        # Stored in the clear and shown in every listing: credentials belong elsewhere.
        raise ApiProblem(422, "invalid_request", "the URL must not carry a user or password")
    endpoint_id = f"we_{secrets.token_hex(12)}"
    secret = SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()
    ref = _secret_ref(services.settings, endpoint_id)
    # The secret first: an endpoint row never names a secret that is not there.
    await asyncio.to_thread(_store_secret, services.settings, ref, secret)
    record = await asyncio.to_thread(
        WebhookEndpoints(services.engine).add,
        caller.tenant_id, endpoint_id, str(body.url), body.event_types, ref,
    )  # fmt: skip
    return WebhookEndpointCreated(**_public(record).model_dump(), secret=secret)


@router.get("", response_model=Page[WebhookEndpointPublic], responses=_PROBLEMS)
async def list_webhook_endpoints(
    caller: AdminKey, services: Services, paging: Annotated[PageRequest, Query()]
) -> Page[WebhookEndpointPublic]:
    page = await asyncio.to_thread(WebhookEndpoints(services.engine).list, caller.tenant_id, paging)
    return Page[WebhookEndpointPublic](data=[_public(r) for r in page.data], has_more=page.has_more)


@router.get("/{endpoint_id}", response_model=WebhookEndpointPublic, responses=_ONE)
async def get_webhook_endpoint(
    endpoint_id: str, caller: AdminKey, services: Services
) -> WebhookEndpointPublic:
    try:
        record = await asyncio.to_thread(
            WebhookEndpoints(services.engine).get, endpoint_id, caller.tenant_id
        )
    except WebhookEndpointNotFound:
        raise _not_found(endpoint_id) from None
    return _public(record)


@router.delete(
    "/{endpoint_id}",
    response_model=WebhookEndpointPublic,
    responses=_ONE,
    summary="Disable an endpoint, at once and for good",
)
async def disable_webhook_endpoint(
    endpoint_id: str, caller: AdminKey, services: Services
) -> WebhookEndpointPublic:
    try:
        record = await asyncio.to_thread(
            WebhookEndpoints(services.engine).disable, endpoint_id, caller.tenant_id
        )
    except WebhookEndpointNotFound:
        raise _not_found(endpoint_id) from None
    return _public(record)
