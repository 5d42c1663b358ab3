"""A document the portal sent as a download (receipt, statement PDF, settlement export), read
into memory; a failed download is PortalUnavailable (retryable)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Download

from models.errors import PortalUnavailable
from models.payments import ReceiptFile
from portals.navigation import errors_mapped


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
