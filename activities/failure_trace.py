"""The Playwright trace kept when a portal changed: the whole use, then the page it left.

A use is traced without DOM snapshots: Playwright's snapshot of the page before and after
every action was 8-11 % of the worker's Chromium + driver CPU on a warm payment (2.51 →
2.23 CPU-s, and 2.35 → 2.16 in a second run; bench/chromium_lean.py, 8 interleaved rounds
each, 2026-12-03); with the pool's kept page, 1.56 → 1.31 (-16 %). The page as the
failure left it is what shows which element went missing, so on PortalChanged a second,
snapshotting trace records one action (the failure screenshot, with its DOM snapshot) and
both go into one zip, each under its own name: the trace viewer (``playwright show-trace``)
opens every ``*.trace`` of a zip as one timeline.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from playwright.async_api import BrowserContext, Page

_FAILURE_PREFIX = "failure"


async def start_use_trace(context: BrowserContext) -> None:
    """The actions, their timing, the network and the console; no DOM, no screencast."""
    await context.tracing.start(snapshots=False, screenshots=False)


async def stop_use_trace(context: BrowserContext) -> bytes:
    with tempfile.TemporaryDirectory(prefix="billbridge-trace-") as folder:
        path = Path(folder) / "trace.zip"
        await context.tracing.stop(path=path)
        return path.read_bytes()


async def snapshot_with_screenshot(context: BrowserContext, page: Page) -> tuple[bytes, bytes]:
    """The screenshot, and a trace of that one action with the page's DOM snapshot."""
    await context.tracing.start(snapshots=True, screenshots=False)
    try:
        image = await page.screenshot(full_page=True)
    finally:
        trace = await stop_use_trace(context)
    return image, trace


def merged(use: bytes | None, failure: bytes | None) -> bytes | None:
    """One trace zip: the use's entries as they are, the failure's under their own prefix
    (resources are content-addressed, so shared ones are stored once)."""
    if use is None or failure is None:
        return use or failure
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names: set[str] = set()
        with zipfile.ZipFile(io.BytesIO(use)) as source:
            for name in source.namelist():
                names.add(name)
                target.writestr(name, source.read(name))
        with zipfile.ZipFile(io.BytesIO(failure)) as source:
            for name in source.namelist():
                renamed = _renamed(name)
                if renamed not in names:
                    names.add(renamed)
                    target.writestr(renamed, source.read(name))
    return out.getvalue()


def _renamed(name: str) -> str:
    if "/" in name:
        return name  # resources/<sha1>
    stem, dot, suffix = name.partition(".")
    return f"{_FAILURE_PREFIX}.{suffix}" if dot and stem == "trace" else name
