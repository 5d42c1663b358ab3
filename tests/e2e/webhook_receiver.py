"""A webhook receiver as an integrator runs one: a real HTTP server on a free port that
verifies every delivery with the client's helper. It can be down (nothing listening: the
connection is refused), answer 503 for a number of requests, then accept."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from starters.client import WebhookEvent, WebhookVerificationFailed, verify_webhook
from starters.local.stack import free_port


@dataclass(frozen=True)
class Received:
    webhook_id: str
    event: WebhookEvent


class WebhookReceiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.secret = ""
        self.unavailable_answers = 0  # how many requests get a 503 before any is accepted
        self.verified: list[Received] = []
        self.refused: list[str] = []  # why requests failed verification (must stay empty)
        self.answered_503 = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver._receive(body, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test asserts on what was received

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _receive(self, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            if self.answered_503 < self.unavailable_answers:
                self.answered_503 += 1
                return 503
            try:
                event = verify_webhook(body, headers, self.secret)
            except WebhookVerificationFailed as err:
                self.refused.append(str(err))
                return 400
            webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
            self.verified.append(Received(webhook_id, event))
            return 204

    def seen(self) -> list[Received]:
        with self._lock:
            return list(self.verified)
