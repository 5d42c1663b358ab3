"""A document the portal sent as a download (receipt, statement PDF, settlement export), read
into memory; a failed download is PortalUnavailable (retryable). Or the same document fetched
over the page's HTTP client where the adapter knows its address (``fetched_document``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Download, Page

from models.errors import PortalUnavailable
from models.payments import ReceiptFile
from portals.maintenance import SERVICE_UNAVAILABLE
from portals.navigation import SERVER_ERROR, TOO_MANY_REQUESTS, errors_mapped

HTTP_OK = 200


async def downloaded_bytes(download: Download, step: str) -> bytes:
    async with errors_mapped(step):
        failure = await download.failure()
        if failure is not None:
            raise PortalUnavailable(f"{step}: the download failed ({failure})")
        path = await download.path()
        # Off the event loop: the worker's other activities keep heartbeating meanwhile.
        return await asyncio.to_thread(Path(path).read_bytes)


async def downloaded_file(download: Download, step: str) -> ReceiptFile:
    content = await downloaded_bytes(download, step)
    return ReceiptFile(filename=download.suggested_filename, content=content)


async def fetched_document(
    page: Page, url: str, step: str, *, content_type: str = "application/pdf"
) -> ReceiptFile | None:
    """A document fetched over the page's HTTP client (the context's cookies, no page render,
    no download), or None when the answer is not that document: a sign-in page, a not-found
    page, a maintenance page, another layout. The caller then takes the page's way, which
    says which of those it was (SessionExpired, PortalInMaintenance, PortalChanged…).

    A server error is PortalUnavailable at once, as the page would say.
    """
    async with errors_mapped(step):
        response = await page.request.get(url, fail_on_status_code=False)
        try:
            status = response.status
            # A 503 may be a maintenance window: the page's way recognises it.
            if status != SERVICE_UNAVAILABLE and (
                status >= SERVER_ERROR or status == TOO_MANY_REQUESTS
            ):
                raise PortalUnavailable(f"{step}: the portal answered HTTP {status}")
            answered = response.headers.get("content-type", "").split(";")[0].strip()
            if status != HTTP_OK or answered != content_type:
                return None
            content = await response.body()
        finally:
            await response.dispose()
    return ReceiptFile(filename=_filename(url), content_type=content_type, content=content)


def _filename(url: str) -> str:
    name = url.rstrip("/").rsplit("/", 1)[-1]
    return name if name.endswith(".pdf") else f"{name}.pdf"
