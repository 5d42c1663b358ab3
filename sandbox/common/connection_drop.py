"""Dropping a client's TCP connection mid-request, as a crashing server would.

ASGI gives an app no handle on its socket, so the sandbox runs uvicorn with an HTTP protocol
that remembers each connection's transport by client address. Closing the transport before
any response byte is written is what the browser sees when a server dies after committing
work: net::ERR_EMPTY_RESPONSE, no status line, no page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger(__name__)

_Address = tuple[str, int]


class ConnectionRegistry:
    def __init__(self) -> None:
        self._transports: MutableMapping[_Address, asyncio.BaseTransport] = {}

    def protocol_class(self) -> type[H11Protocol]:
        registry = self._transports

        class TrackedH11Protocol(H11Protocol):
            def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
                super().connection_made(transport)
                if self.client:
                    registry[self.client] = transport

            def connection_lost(self, exc: Exception | None) -> None:
                if self.client:
                    registry.pop(self.client, None)
                super().connection_lost(exc)

        return TrackedH11Protocol

    def drop(self, scope: Scope) -> bool:
        client = scope.get("client")
        transport = self._transports.get(tuple(client)) if client else None
        if transport is None:
            return False
        transport.close()
        return True


class DroppedConnection(Response):
    """A "response" that closes the connection instead of answering."""

    def __init__(self, registry: ConnectionRegistry) -> None:
        super().__init__()
        self._registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._registry.drop(scope):
            # Not served by our protocol (e.g. an in-process test client): fail loudly instead.
            raise ConnectionAbortedError("crash_after_submit: connection could not be dropped")
        # Let uvicorn notice the disconnect so it does not try to send its own 500.
        for _ in range(3):
            await asyncio.sleep(0)


def protocol_kwargs(registry: ConnectionRegistry) -> dict[str, Any]:
    return {"http": registry.protocol_class(), "proxy_headers": False}
