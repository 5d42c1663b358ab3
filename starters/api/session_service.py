"""What the session and credential endpoints do with Temporal: open, answer, repair, wait.

Every call is bounded: the Temporal link like the connection reads (``TemporalLink``),
an Update by the time its work may take (a code is checked in a real browser), and the
wait for a login to leave ``signing_in`` by the caller's ``Prefer: wait=N`` (RFC 7240).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable
from typing import TypeVar

from temporalio.client import Client
from temporalio.service import RPCError

from models.api_connections import ConnectionRecord, status_of
from models.api_keys import ApiKeyPublic
from models.api_sessions import SessionPublic, session_id_of
from models.connection_session import (
    MfaSubmissionResult,
    SessionStatus,
    SessionView,
    session_start,
)
from models.errors import ERROR_TYPES, MfaRejected
from starters.api.error_codes import status_and_code
from starters.api.problems import ApiProblem
from starters.api.services import ApiServices, WorkerUnavailable
from starters.client.sessions_client import SessionsClient
from stores.read_model.tenant_connections import TenantConnectionNotFound
from workers.temporal_unreachable import TemporalUnreachable

# How long POST /sessions (and PUT credentials) wait for a login to leave signing_in when
# the caller states no preference: long enough for a portal's password step on a busy
# host, so one call usually answers mfa_required or active. Prefer: wait=N, up to the cap.
DEFAULT_WAIT_SECONDS = 10.0
MAX_WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.25
# Opening answers at once once a worker runs the workflow task (the first one of a new
# session workflow included); checking or resending a code is a browser step with retries.
_OPEN_BOUND_SECONDS = 15.0
_BROWSER_BOUND_SECONDS = 120.0
T = TypeVar("T")
_PREFER_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*(\d+)(?:$|[,;\s])", re.IGNORECASE)


def requested_wait(prefer: str | None) -> float:
    """The seconds ``Prefer: wait=N`` asks for (capped), else the default."""
    found = _PREFER_WAIT.search(prefer or "")
    if found is None:
        return DEFAULT_WAIT_SECONDS
    return min(float(found.group(1)), MAX_WAIT_SECONDS)


def error_code_of(error_type: str | None) -> str | None:
    """A BillBridge error type name as the API's typed code (PortalChanged → portal_changed)."""
    if error_type is None or error_type not in ERROR_TYPES:
        return None
    return status_and_code(ERROR_TYPES[error_type](""))[1]


def session_public(connection_id: str, view: SessionView | None) -> SessionPublic:
    status, challenge = status_of(view)
    return SessionPublic(
        id=session_id_of(connection_id),
        connection_id=connection_id,
        status=status,
        mfa_challenge=challenge,
        last_error=view.last_error if view is not None else None,
        last_error_code=error_code_of(view.last_error_type) if view is not None else None,
        last_error_evidence=view.last_error_evidence if view is not None else None,
    )


def refused_code(result: MfaSubmissionResult) -> Exception:
    """A code the session did not accept, as the typed error the problem details name."""
    error_type = ERROR_TYPES.get(result.failure_type or "", MfaRejected)
    return error_type(result.message)


class SessionGateway:
    """One request's view of its tenant's sessions, acting as the caller's key."""

    def __init__(self, services: ApiServices, caller: ApiKeyPublic) -> None:
        self._services = services
        self._caller = caller

    async def connection(self, connection_id: str) -> ConnectionRecord:
        """The tenant's connection; 404 for another tenant's, as for none."""
        try:
            return await asyncio.to_thread(
                self._services.connections.get, self._caller.tenant_id, connection_id
            )
        except TenantConnectionNotFound:
            raise ApiProblem(
                404, "not_found", f"no connection {connection_id} in this tenant"
            ) from None

    async def view(self, connection_id: str) -> SessionView | None:
        return await self._services.temporal.session_view(connection_id, self._caller)

    async def open(self, connection_id: str, wait_seconds: float) -> SessionView:
        settings = self._services.settings
        start = session_start(connection_id, settings)
        sessions = await self._sessions()
        view = await self._bounded(
            sessions.open_session(start, settings.task_queue), _OPEN_BOUND_SECONDS
        )
        return await self.settled(connection_id, view, wait_seconds)

    async def submit_code(self, connection_id: str, code: str) -> SessionView:
        sessions = await self._sessions()
        result = await self._bounded(
            sessions.submit_mfa_code(connection_id, code), _BROWSER_BOUND_SECONDS
        )
        if not result.accepted:
            raise refused_code(result)
        view = await self.view(connection_id)
        assert view is not None  # it just answered an Update
        return view

    async def resend_code(self, connection_id: str) -> SessionView:
        sessions = await self._sessions()
        return await self._bounded(sessions.resend_mfa_code(connection_id), _BROWSER_BOUND_SECONDS)

    async def credentials_replaced(self, connection_id: str, wait_seconds: float) -> SessionView:
        sessions = await self._sessions()
        view = await self._bounded(
            sessions.credentials_replaced(connection_id), _OPEN_BOUND_SECONDS
        )
        return await self.settled(connection_id, view, wait_seconds)

    async def settled(
        self, connection_id: str, view: SessionView, wait_seconds: float
    ) -> SessionView:
        """The session once its login left signing_in, or as it is when the wait is over."""
        deadline = time.monotonic() + wait_seconds
        while view.status is SessionStatus.SIGNING_IN and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            view = await self.view(connection_id) or view
        return view

    async def _sessions(self) -> SessionsClient:
        return SessionsClient(await self._client(), self._caller.actor())

    async def _client(self) -> Client:
        settings = self._services.settings
        try:
            async with asyncio.timeout(settings.api_health_timeout_seconds):
                return await self._services.temporal.client()
        except TimeoutError:
            raise TemporalUnreachable(settings) from None

    async def _bounded(self, work: Awaitable[T], seconds: float) -> T:
        try:
            async with asyncio.timeout(seconds):
                return await work
        except TimeoutError:
            raise WorkerUnavailable(
                "no worker answered the connection's session in time; is a "
                "`billbridge worker` running on this task queue?"
            ) from None
        except RPCError:
            raise TemporalUnreachable(self._services.settings) from None
