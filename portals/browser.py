"""Finding and launching Chromium: one browser per worker process, a fresh context per use."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

# Without the networking flags, Chromium's background services keep dialing out; on a closed
# network those calls fail many at a time and slow every launch.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium(override: str | None = None) -> str | None:
    """``override`` (``Settings.browser``, from BILLBRIDGE_BROWSER), else a system Chromium,
    else None (Playwright's own build)."""
    if override:
        if not Path(override).is_file():
            raise FileNotFoundError(f"BILLBRIDGE_BROWSER={override} does not exist")
        return override
    for candidate in _SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    found = shutil.which("chromium")
    return found


class BrowserPool:
    """One Chromium per process; relaunched if it dies; contexts are never shared."""

    def __init__(self, *, headless: bool = True, executable: str | None = None) -> None:
        self._headless = headless
        # Resolved at each launch, so a relaunch after a crash finds the same browser.
        self._executable = executable
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._ensure_browser()

    async def _ensure_browser(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._browser = await self._playwright.chromium.launch(
                executable_path=find_chromium(self._executable),
                headless=self._headless,
                args=CHROMIUM_ARGS,
            )
            return self._browser

    @asynccontextmanager
    async def context(
        self, storage_state: dict[str, Any] | None = None
    ) -> AsyncIterator[BrowserContext]:
        """A fresh, isolated context, closed whatever happens (cancellation included).

        ``storage_state`` restores cookies and local storage saved from an earlier context.
        """
        browser = await self._ensure_browser()
        context = await browser.new_context(
            accept_downloads=True,
            storage_state=storage_state,  # type: ignore[arg-type]
        )
        try:
            yield context
        finally:
            # Shielded so a cancelled activity still releases its context.
            await asyncio.shield(context.close())

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
