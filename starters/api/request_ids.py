"""A request id on every request: in the ``Request-Id`` response header, in every problem
body, in the request log line, and in the log of any crash (pure ASGI, outermost).

A caller's own ``Request-Id``/``X-Request-Id`` is kept when it is an opaque token, so ids
line up across services; anything else (too long, spaces, a card number) is replaced.
Crashes are caught here, not by Starlette's error middleware, so their answer still
carries the id and never a traceback.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.card_numbers import contains_card_number

REQUEST_ID_HEADER = "request-id"
_INCOMING = (b"request-id", b"x-request-id")
_OPAQUE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
_request_id: ContextVar[str] = ContextVar("billbridge_request_id", default="-")
_log = logging.getLogger("billbridge.api.requests")


def current_request_id() -> str:
    found: str = _request_id.get()
    return found


def _chosen_id(scope: Scope) -> str:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for name, value in headers:
        if name.lower() in _INCOMING:
            text = value.decode("latin-1")
            if _OPAQUE.fullmatch(text) and not contains_card_number(text):
                return text
    return f"req_{secrets.token_hex(12)}"


class RequestIds:
    def __init__(self, app: ASGIApp, crash_response: Callable[[], Response]) -> None:
        self.app = app
        self._crash_response = crash_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _chosen_id(scope)
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _log.exception("request %s crashed", request_id)
            if response_started:
                raise
            await self._crash_response()(scope, receive, send_with_id)
        finally:
            # The path only: query strings may carry what a caller should not have sent.
            elapsed_ms = (time.perf_counter() - started) * 1000
            _log.info(
                "%s %s -> %d in %.1f ms request_id=%s",
                scope.get("method"), scope.get("path"), status, elapsed_ms, request_id,
            )  # fmt: skip
            _request_id.reset(token)
