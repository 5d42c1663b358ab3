"""``/sessions``: open a connection's portal session and answer its MFA challenge.

Scopes: reading a session needs ``read``; opening one, sending or resending a code needs
a key that may run portal processes (``payments``, ``refunds``, ``plans`` or ``admin``):
each signs BillBridge in to a patient-billing portal, which a read-only key must not
cause. The key's ``tenant/name`` is the actor the audit trail records with each code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from models.api_keys import ApiKeyPublic, Scope
from models.api_sessions import MfaCodeBody, SessionOpen, SessionPublic, connection_id_of
from starters.api.dependencies import ReadKey, Services, authenticated
from starters.api.problems import ApiProblem, Problem
from starters.api.session_service import SessionGateway, requested_wait, session_public

router = APIRouter(prefix="/sessions", tags=["sessions"])

_SIGNING_IN_SCOPES = (Scope.PAYMENTS, Scope.REFUNDS, Scope.PLANS)


async def _signing_in_key(key: Annotated[ApiKeyPublic, Depends(authenticated)]) -> ApiKeyPublic:
    if not any(key.allows(scope) for scope in _SIGNING_IN_SCOPES):
        raise ApiProblem(
            403,
            "forbidden",
            "opening a session or answering its MFA needs a payments, refunds, plans or "
            "admin key: it signs in to the portal",
        )
    return key


SigningInKey = Annotated[ApiKeyPublic, Depends(_signing_in_key)]

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "no live API key"},
    403: {"model": Problem, "description": "the key lacks the scope"},
    404: {"model": Problem, "description": "no such session or connection in this tenant"},
    422: {"model": Problem, "description": "invalid request"},
    503: {"model": Problem, "description": "Temporal or no worker answered"},
}
_CODE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **_PROBLEMS,
    422: {
        "model": Problem,
        "description": "mfa_rejected (wrong code), mfa_code_expired (ask for a resend), "
        "invalid_request (not 4-8 digits, or no challenge pending)",
    },
}
_PREFER = Header(
    description="`wait=N`: seconds to wait for the login to leave signing_in "
    "(default 10, at most 30)"
)


def _connection_of(session_id: str) -> str:
    connection_id = connection_id_of(session_id)
    if connection_id is None:
        raise ApiProblem(404, "not_found", f"no session {session_id} in this tenant")
    return connection_id


async def _found(gateway: SessionGateway, session_id: str) -> str:
    """The session's connection id, within the caller's tenant (404 otherwise)."""
    connection_id = _connection_of(session_id)
    try:
        await gateway.connection(connection_id)
    except ApiProblem:
        raise ApiProblem(404, "not_found", f"no session {session_id} in this tenant") from None
    return connection_id


@router.post("", response_model=SessionPublic, responses=_PROBLEMS)
async def open_session(
    body: SessionOpen,
    caller: SigningInKey,
    services: Services,
    response: Response,
    prefer: Annotated[str | None, _PREFER] = None,
) -> SessionPublic:
    """Sign the connection in (unless it is already), and wait a little for the login."""
    gateway = SessionGateway(services, caller)
    record = await gateway.connection(body.connection_id)
    wait = requested_wait(prefer)
    view = await gateway.open(record.id, wait)
    response.headers["Preference-Applied"] = f"wait={wait:g}"
    return session_public(record.id, view)


@router.get("/{session_id}", response_model=SessionPublic, responses=_PROBLEMS)
async def get_session(session_id: str, caller: ReadKey, services: Services) -> SessionPublic:
    gateway = SessionGateway(services, caller)
    connection_id = await _found(gateway, session_id)
    return session_public(connection_id, await gateway.view(connection_id))


@router.post("/{session_id}/mfa", response_model=SessionPublic, responses=_CODE_PROBLEMS)
async def submit_mfa_code(
    session_id: str, body: MfaCodeBody, caller: SigningInKey, services: Services
) -> SessionPublic:
    """The code goes to the login waiting for it; answers the session once it is checked."""
    gateway = SessionGateway(services, caller)
    connection_id = await _found(gateway, session_id)
    view = await gateway.submit_code(connection_id, body.code)
    return session_public(connection_id, view)


@router.post("/{session_id}/mfa/resend", response_model=SessionPublic, responses=_PROBLEMS)
async def resend_mfa_code(
    session_id: str, caller: SigningInKey, services: Services
) -> SessionPublic:
    gateway = SessionGateway(services, caller)
    connection_id = await _found(gateway, session_id)
    return session_public(connection_id, await gateway.resend_code(connection_id))
