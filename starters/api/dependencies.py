"""The per-request dependencies: the shared services and the caller's key and scopes.

A request without a live key is 401; a key without the endpoint's scope is 403 (``admin``
holds every scope). Objects are looked up within the key's tenant only, so another
tenant's object is a 404, indistinguishable from one that does not exist.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from models.api_keys import ApiKeyPublic, Scope
from starters.api.problems import ApiProblem
from starters.api.services import ApiServices

_bearer = HTTPBearer(auto_error=False, description="an API key: Authorization: Bearer bbk_…")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="billbridge"'}


def services(request: Request) -> ApiServices:
    found: ApiServices = request.app.state.services
    return found


Services = Annotated[ApiServices, Depends(services)]


async def authenticated(
    services: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiKeyPublic:
    if credentials is None:
        raise ApiProblem(
            401,
            "unauthorized",
            "send an API key in the Authorization header, with the Bearer scheme",
            _CHALLENGE,
        )
    key = await asyncio.to_thread(services.api_keys.authenticate, credentials.credentials)
    if key is None:
        raise ApiProblem(401, "unauthorized", "the API key is unknown or revoked", _CHALLENGE)
    return key


def require(scope: Scope) -> Callable[[ApiKeyPublic], Awaitable[ApiKeyPublic]]:
    async def scoped(key: Annotated[ApiKeyPublic, Depends(authenticated)]) -> ApiKeyPublic:
        if not key.allows(scope):
            raise ApiProblem(
                403, "forbidden", f"this API key lacks the {scope.value} scope for this request"
            )
        return key

    return scoped


AdminKey = Annotated[ApiKeyPublic, Depends(require(Scope.ADMIN))]
ReadKey = Annotated[ApiKeyPublic, Depends(require(Scope.READ))]
PaymentsKey = Annotated[ApiKeyPublic, Depends(require(Scope.PAYMENTS))]
RefundsKey = Annotated[ApiKeyPublic, Depends(require(Scope.REFUNDS))]
PlansKey = Annotated[ApiKeyPublic, Depends(require(Scope.PLANS))]
