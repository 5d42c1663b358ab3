"""The processor's admin API (JSON, no auth): health, reset and test helpers."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandbox.processor import tokens
from sandbox.processor.state import ProcessorDep

router = APIRouter(prefix="/__sandbox__")


@router.get("/")
async def documentation(request: Request, processor: ProcessorDep) -> Response:
    cards = [(number, instrument) for number, instrument in tokens.TEST_CARD_NUMBERS.items()]
    return processor.render(
        request, "admin_index.html", cards=cards, tokens=tokens, settings=processor.settings
    )


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "vendor": "processor"}


@router.post("/reset")
async def reset(processor: ProcessorDep) -> dict[str, str]:
    """Forget every charge, refund and checkout session."""
    processor.reset()
    return {"status": "reset"}


@router.get("/checkout-sessions")
async def checkout_sessions(processor: ProcessorDep) -> dict[str, Any]:
    rows = processor.db.execute("SELECT * FROM checkout_sessions ORDER BY created_at").fetchall()
    return {
        "sessions": [
            {"session_id": row["session_id"], "merchant": row["merchant"],
             "parent_origin": row["parent_origin"],
             "saved_tokens": json.loads(row["saved_tokens"]),
             "expired": time.time() >= row["expires_at"],
             "confirmed_token": row["confirmed_token"]}
            for row in rows
        ]
    }  # fmt: skip


@router.post("/checkout-sessions/expire")
async def expire_checkout_sessions(processor: ProcessorDep) -> dict[str, int]:
    """As if 30 minutes had passed: every open checkout session answers 410 from now on."""
    cursor = processor.db.execute(
        "UPDATE checkout_sessions SET expires_at = ? WHERE expires_at > ?",
        (time.time(), time.time()),
    )
    return {"expired": cursor.rowcount}
