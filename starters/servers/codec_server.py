"""``billbridge codec-server``: the Temporal UI and CLI decrypt payloads here, with a token.

It speaks Temporal's remote codec protocol (``POST /encode`` and ``POST /decode`` with a
``{"payloads": [...]}`` body in proto JSON, optionally under a ``/{namespace}`` prefix).
Only operators holding the token get plain text:

- the Temporal CLI sends it as a header:
  ``temporal workflow show -w ID --codec-endpoint URL --codec-auth "Bearer TOKEN"``;
- a browser cannot add headers to the UI's codec calls unless the UI runs with single
  sign-on (then it passes its own access token), so the token may also be the first path
  segment of the endpoint the UI is given: ``URL/t/TOKEN``. The UI is then the gate: serve
  it on localhost or behind your SSO.

It also serves the expiring receipt links (``starters/servers/receipt_links.py``), each its own
signed authorization. CORS admits only the UI's origin(s). The token is compared in
constant time and never logged (uvicorn's access log, which would print paths, is off).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, Sequence

import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from models.connections import SecretRef
from models.settings import Settings
from security.codec import EncryptionCodec, UndecryptablePayload
from starters.cli.console import say
from starters.servers.receipt_links import receipt_links_router
from stores.artifacts import open_artifact_store, receipt_link_key
from stores.keyring import load_keyring
from stores.secrets import SecretStore, open_secret_store, secret_or_create

CODEC_TOKEN_REF = SecretRef(ref="local:billbridge/codec-server-token")


def codec_server_token(store: SecretStore) -> str:
    return secret_or_create(store, CODEC_TOKEN_REF, lambda: secrets.token_urlsafe(32))


def codec_app(codec: EncryptionCodec, token: str, ui_origins: Sequence[str]) -> FastAPI:
    app = FastAPI(title="BillBridge codec server", docs_url=None, redoc_url=None)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(ui_origins),
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        allow_credentials=True,
    )

    def authorize(request: Request, path_token: str | None) -> None:
        header = request.headers.get("authorization", "")
        offered = path_token or header.removeprefix("Bearer ").strip()
        if not offered or not hmac.compare_digest(offered.encode(), token.encode()):
            raise HTTPException(401, "a valid codec token is required")

    async def transform(
        request: Request,
        path_token: str | None,
        convert: Callable[[Sequence[Payload]], Awaitable[list[Payload]]],
    ) -> JSONResponse:
        authorize(request, path_token)
        body = Payloads()
        try:
            json_format.Parse(await request.body(), body)
        except json_format.ParseError:
            raise HTTPException(400, 'expected {"payloads": [...]} in proto JSON') from None
        try:
            converted = await convert(body.payloads)
        except UndecryptablePayload as err:
            raise HTTPException(422, str(err)) from None
        message = Payloads(payloads=converted)
        return JSONResponse(
            json_format.MessageToDict(message, always_print_fields_with_no_presence=True)
        )

    for prefix in ("", "/{namespace}", "/t/{token}", "/t/{token}/{namespace}"):

        async def decode(request: Request, token: str | None = None) -> JSONResponse:
            return await transform(request, token, codec.decode_for_reading)

        async def encode(request: Request, token: str | None = None) -> JSONResponse:
            return await transform(request, token, codec.encode)

        app.add_api_route(f"{prefix}/decode", decode, methods=["POST"])
        app.add_api_route(f"{prefix}/encode", encode, methods=["POST"])
    return app


def ui_endpoint(base_url: str, token: str) -> str:
    """What the Temporal UI is given as its codec endpoint (the token in the path)."""
    return f"{base_url}/t/{token}"


async def serve(settings: Settings, *, host: str, port: int, ui_origins: Sequence[str]) -> None:
    """Run until SIGTERM/SIGINT; prints how the CLI and the UI reach it."""
    store = open_secret_store(settings)
    token = codec_server_token(store)
    app = codec_app(EncryptionCodec(load_keyring(store, settings.codec_keys)), token, ui_origins)
    # Receipt links need no token: each link is its own signed, expiring authorization.
    artifacts = open_artifact_store(settings, store)
    app.include_router(receipt_links_router(artifacts, receipt_link_key(store)))
    base_url = f"http://{host}:{port}"
    say(f"codec server on {base_url} for UI origins {', '.join(ui_origins) or '(none)'}")
    say(f'  CLI: --codec-endpoint {base_url} --codec-auth "Bearer <token>"')
    say(f"  UI:  --ui-codec-endpoint {base_url}/t/<token>")
    say(f"  the token: billbridge keys codec-token (stored under {CODEC_TOKEN_REF})")
    say("  also serves expiring receipt links (billbridge receipts link KEY)")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    await uvicorn.Server(config).serve()
