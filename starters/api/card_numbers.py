"""Card numbers anywhere in a request are refused (422 card_number_refused) before any
handler, model or log sees them: query, path, headers and body, whatever the endpoint."""

from __future__ import annotations

import json

from fastapi import Request

from models.card_numbers import refuse_card_number, refuse_card_numbers_in

# Credentials are checked by their own dependency and must not be named in an error.
_UNCHECKED_HEADERS = {"authorization", "cookie"}


async def refuse_card_numbers(request: Request) -> None:
    refuse_card_numbers_in(dict(request.query_params), "query")
    refuse_card_numbers_in(dict(request.path_params), "path")
    for name, value in request.headers.items():
        if name not in _UNCHECKED_HEADERS:
            refuse_card_number(value, f"the {name} header")
    body = await request.body()
    if not body:
        return
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        refuse_card_number(text, "body")
        return
    refuse_card_numbers_in(parsed, "body")
