"""Autopay meets HTTP: the catch-up before every request, and ``GET /__sandbox__/plans``.

``AutopayCatchUp`` is an ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which would
stand between the app and the dropped connections of "crash after submit"): it runs the due
drafts before the portal answers anything, so every page shows autopay as of the sandbox's
clock, and again after ``POST /__sandbox__/clock`` moved the clock, before that answer goes
out, so a test that moved the clock finds the drafts made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.common.autopay import Autopay

CLOCK_PATH = "/__sandbox__/clock"


class AutopayCatchUp:
    def __init__(self, app: ASGIApp, autopay_of: Callable[[Any], Autopay | None]) -> None:
        self._app = app
        self._autopay_of = autopay_of  # given the Starlette app; None before its lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        autopay = self._autopay_of(scope["app"])
        if autopay is None:
            await self._app(scope, receive, send)
            return
        await autopay.catch_up()
        if not (scope["path"] == CLOCK_PATH and scope["method"] == "POST"):
            await self._app(scope, receive, send)
            return

        async def send_after_catch_up(message: Message) -> None:
            if message["type"] == "http.response.start":
                await autopay.catch_up()
            await send(message)

        await self._app(scope, receive, send_after_catch_up)


def plans_admin_router(autopay_of: Callable[[Request], Autopay]) -> APIRouter:
    """``GET /plans`` for the portal's ``/__sandbox__`` router: every plan (newest first)
    with its installments and each installment's charge attempts, declines included."""
    router = APIRouter()

    @router.get("/plans")
    async def plans(request: Request, reference: str | None = None) -> dict[str, Any]:
        autopay = autopay_of(request)
        return {"plans": [plan_json(autopay, row) for row in autopay.plans(reference=reference)]}

    return router


def plan_json(autopay: Autopay, plan: Any) -> dict[str, Any]:
    plan_id = plan["plan_id"]
    charges: dict[int, list[dict[str, Any]]] = {}
    for charge in autopay.charges(plan_id):
        charges.setdefault(charge["number"], []).append(
            {key: charge[key] for key in ("attempt", "attempted_on", "token", "amount_cents",
                                          "outcome", "decline_code", "charge_id",
                                          "confirmation_number")}
        )  # fmt: skip
    next_draft = autopay.next_draft(plan_id)
    return {
        **{key: plan[key] for key in ("plan_id", "statement_id", "owner", "reference", "token",
                                      "status", "total_cents", "installment_cents",
                                      "enrolled_on", "ended_on")},
        "remaining_cents": autopay.remaining_cents(plan_id),
        "next_draft_on": next_draft.on.isoformat() if next_draft else None,
        "installments": [
            {**{key: row[key] for key in ("number", "due_on", "amount_cents", "status",
                                          "attempts", "next_attempt_on",
                                          "confirmation_number")},
             "charges": charges.get(row["number"], [])}
            for row in autopay.installments(plan_id)
        ],
    }  # fmt: skip
