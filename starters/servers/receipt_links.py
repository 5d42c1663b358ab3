"""Serving expiring receipt links: ``GET /artifacts/{key}?expires=…&signature=…``.

The codec server mounts this router, so operators open receipts where they already read
decrypted histories. A link is checked (signature, then expiry) before the store is touched;
the artifact is decrypted in memory and sent with ``Cache-Control: no-store``, because a
receipt names a patient. ``billbridge receipts link <key>`` prints a link.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from fastapi import APIRouter, HTTPException, Query, Response

from models.errors import ArtifactNotFound
from stores.artifact_links import LINK_PATH, ReceiptLinks
from stores.artifacts import ArtifactStore


def receipt_links_router(store: ArtifactStore, signing_key: bytes) -> APIRouter:
    links = ReceiptLinks(signing_key)
    router = APIRouter()

    # A plain def: FastAPI runs it in its thread pool, so file reads don't block the loop.
    @router.get(LINK_PATH + "{key:path}")
    def artifact(
        key: str, expires: int = Query(...), signature: str = Query(..., max_length=128)
    ) -> Response:
        # One answer for a bad signature and an expired link: a prober learns nothing.
        if not links.verify(key, expires, signature):
            raise HTTPException(status_code=403, detail="link expired or invalid")
        try:
            content = store.get(key)
        except (ArtifactNotFound, ValueError):
            raise HTTPException(status_code=404, detail="no such artifact") from None
        name = PurePosixPath(key).name
        return Response(
            content=content,
            media_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            headers={
                "Cache-Control": "no-store",
                "Content-Disposition": f'inline; filename="{name}"',
            },
        )

    return router
