"""``PUT /connections/{id}/credentials``: new credentials after ``login_required``.

Plaid's update mode without a widget: the caller sends the new password (a new username
or TOTP secret only when they changed), BillBridge stores it straight into the secret
store under the connection's references and tells the session workflow, which leaves
login_required and signs in. Nothing sent is ever shown again. Scope ``admin``, as for
creating the connection.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response
from pydantic import SecretStr

from models.api_connections import ConnectionPublic
from models.api_sessions import CredentialsReplace
from starters.api.connection_routes import shown_connection
from starters.api.dependencies import AdminKey, Services
from starters.api.problems import Problem
from starters.api.session_service import SessionGateway, requested_wait
from stores.connections import replace_credentials

router = APIRouter(prefix="/connections", tags=["connections"])

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the admin scope"},
    404: {"model": Problem, "description": "no such connection here"},
    422: {"model": Problem, "description": "invalid request"},
    503: {"model": Problem, "description": "Temporal or no worker answered"},
}


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


@router.put("/{connection_id}/credentials", response_model=ConnectionPublic, responses=_PROBLEMS)
async def replace_connection_credentials(
    connection_id: str,
    body: CredentialsReplace,
    caller: AdminKey,
    services: Services,
    response: Response,
    prefer: Annotated[str | None, Header(description="`wait=N`, as for POST /sessions")] = None,
) -> ConnectionPublic:
    gateway = SessionGateway(services, caller)
    record = await gateway.connection(connection_id)
    # Whether a session runs, asked before anything is stored: with Temporal down the
    # request fails whole (503) and the caller's retry is the same request.
    view = await gateway.view(record.id)
    await asyncio.to_thread(
        replace_credentials,
        services.settings,
        record.id,
        password=body.password.get_secret_value(),
        username=_plain(body.username),
        totp_secret=_plain(body.totp_secret),
    )
    if view is not None:
        wait = requested_wait(prefer)
        view = await gateway.credentials_replaced(record.id, wait)
        response.headers["Preference-Applied"] = f"wait={wait:g}"
    # No session yet: the next login simply reads the new credentials.
    return shown_connection(record, view)
