"""Finding and launching Chromium: one browser per worker process, a bounded pool of contexts.

At most ``max_contexts`` contexts are open at once (in use or idle); callers beyond that
wait their turn. A context given a ``key`` (the connection and its sealed state) goes back
on a shelf when its block ends cleanly and is handed to the next caller with the same key,
so the state is not restored again, with one page kept open on ``about:blank`` for the next
use; it is closed after ``max_context_uses`` uses, after a block that raised, after
``idle_seconds`` unused, or when a caller needs its slot. With ``spare``, one blank context
and its page are made in the pool's quiet moments for the next caller who restores nothing
(a sign-in): one context beyond ``max_contexts``, never in use beyond it (its taker holds a
slot like anyone). When Chromium dies, the idle contexts and the spare are dropped,
in-flight blocks fail as ``PortalUnavailable`` (retryable) and the next caller launches a
new browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from models.errors import PortalUnavailable
from portals.context_slots import BrowserPoolStats, ContextSlots, Grant, PooledContext

__all__ = ["CHROMIUM_ARGS", "BrowserPool", "BrowserPoolStats", "find_chromium"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

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
    # No flow reads images or web fonts. Launch flags cost nothing per request, where a
    # context.route (even on a narrow pattern) pauses every request for the driver: +20-40 ms
    # a page measured (docs/architecture.md). Documents and scripts of any origin still load
    # (HealthPay24's hosted-fields iframe is the processor's).
    "--blink-settings=imagesEnabled=false",
    "--disable-remote-fonts",
]
_SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Closing a context of a live browser takes milliseconds; of a dying one it must not hang.
_CLOSE_TIMEOUT_SECONDS = 5.0
# A spare is made once no context has been in use for this long: not in the middle of a
# payment whose next step is about to open a context, and not while the CPUs are busy.
_SPARE_AFTER_QUIET_SECONDS = 0.5


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
    """One Chromium per process, relaunched after it dies; a bounded set of contexts."""

    def __init__(
        self,
        *,
        headless: bool = True,
        executable: str | None = None,
        max_contexts: int = 4,
        max_context_uses: int = 20,
        idle_seconds: float = 30.0,
        args: Sequence[str] = tuple(CHROMIUM_ARGS),
        keep_page: bool = True,
        spare: bool = False,
        driver_node_options: str = "",
    ) -> None:
        self._headless = headless
        self._args = list(args)  # another set only to measure one against the default
        # A page kept on an idle context spares the next use a new page (a renderer process
        # and Playwright's set-up of it): 2.35 → 1.56 CPU-s of Chromium + driver per warm
        # payment (-34 %, bench/chromium_lean.py, 8 interleaved rounds, 2026-12-03). The
        # price: an idle context holds its renderer (~85 MB PSS) until it is closed.
        self._keep_page = keep_page
        # A new context and its first page are ~0.19 s of a cold payment's sign-in (a
        # renderer process starting); made ahead, in a quiet moment, they cost the sign-in
        # nothing, for one renderer held while no sign-in needs it (bench/RESULTS.md).
        self._spare = spare
        self._spare_timer: asyncio.TimerHandle | None = None
        self._spare_task: asyncio.Task[None] | None = None
        self._spare_context: PooledContext | None = None
        self._spares_used = 0
        self._shut = False  # closed: no spare is made any more
        self._driver_node_options = driver_node_options  # Settings.browser_driver_node_options
        # Resolved at each launch, so a relaunch after a crash finds the same browser.
        self._executable = executable
        self._max_uses = max_context_uses
        self._idle_seconds = idle_seconds
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._generation = 0  # bumped when the browser dies: its contexts are never reused
        self._launches = 0
        self._disconnects = 0
        self._closed = 0
        self._created = 0
        self._slots = ContextSlots(max_contexts)
        self._launching = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None
        # Closing contexts, pages being put away, heap collections: awaited by close().
        self._background: set[asyncio.Task[Any]] = set()
        self._lent: dict[BrowserContext, PooledContext] = {}  # in use, by their users' handle

    async def start(self) -> None:
        await self._ensure_browser()
        self._spare_soon()

    def stats(self) -> BrowserPoolStats:
        return BrowserPoolStats(
            limit=self._slots.limit,
            in_use=self._slots.in_use,
            idle=self._slots.idle,
            waiting=self._slots.waiting,
            peak_in_use=self._slots.peak_in_use,
            launches=self._launches,
            disconnects=self._disconnects,
            contexts_created=self._created,
            contexts_reused=self._slots.reused,
            contexts_closed=self._closed,
            spares_used=self._spares_used,
            spare_ready=self._spare_context is not None,
        )

    async def _ensure_browser(self) -> Browser:
        async with self._launching:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._playwright is None:
                if self._driver_node_options:
                    # Read by the driver Playwright spawns now, its only Node.js child.
                    os.environ["NODE_OPTIONS"] = self._driver_node_options
                self._playwright = await async_playwright().start()
            browser = await self._playwright.chromium.launch(
                executable_path=find_chromium(self._executable),
                headless=self._headless,
                args=self._args,
            )
            browser.on("disconnected", self._on_disconnected)
            self._browser = browser
            self._launches += 1
            return browser

    def _on_disconnected(self, browser: Browser) -> None:
        if browser is not self._browser:
            return  # an old one, or ours closed on purpose
        self._browser = None
        self._disconnects += 1
        dead = self._generation
        self._generation += 1
        dropped = self._slots.drop_generation(dead)
        self._closed += len(dropped)
        if self._spare_context is not None:
            self._spare_context = None  # gone with its browser
            self._closed += 1
        logger.warning(
            "Chromium disconnected: %d idle contexts dropped, %d in use will fail and retry",
            len(dropped),
            self._slots.in_use,
        )

    @asynccontextmanager
    async def context(
        self, storage_state: dict[str, Any] | None = None, *, key: str | None = None
    ) -> AsyncIterator[BrowserContext]:
        """An isolated context, waited for while the pool is full.

        ``storage_state`` restores cookies and local storage saved from an earlier context.
        With a ``key`` (naming what ``storage_state`` is), a context released cleanly may be
        reused by the next caller with the same key, its storage as the last user left it;
        pages left open are closed first, but for one taken to ``about:blank`` (no portal
        script runs while it is idle) for the next caller to use. Without one, the context
        is closed after use.
        """
        pooled = await self._open(storage_state, key)
        self._lent[pooled.context] = pooled
        clean = False
        try:
            yield pooled.context
            clean = True
        except Exception as error:
            if pooled.generation != self._generation and not isinstance(error, PortalUnavailable):
                # Whatever the step made of it (a missing element, a closed page), the cause
                # is the browser's death: retryable, never "portal changed".
                raise PortalUnavailable("the browser closed during the step") from None
            raise
        finally:
            del self._lent[pooled.context]
            # Shielded so a cancelled activity still releases its context and its slot.
            await asyncio.shield(self._release(pooled, clean=clean))

    def shelve_as(self, context: BrowserContext, key: str) -> None:
        """Name what a context in use now holds: released cleanly, it goes on the shelf under
        ``key`` as if it had been opened with it. A sign-in's context becomes the signed-in
        session's, so the session's first step restores nothing."""
        self._lent[context].key = key

    async def _open(self, storage_state: dict[str, Any] | None, key: str | None) -> PooledContext:
        grant, evicted = await self._slots.acquire(key, self._generation)
        self._close_soon(evicted)
        if grant.reuse is not None:
            reused, settling = grant.reuse, grant.reuse.settling
            reused.settling = None
            if settling is None or await settling:
                return reused
            self._close_soon([reused])  # its pages could not be put away: a new one instead
        if storage_state is None and self._spare_context is not None:
            spare, self._spare_context = self._spare_context, None
            if spare.generation == self._generation:
                # An ordinary context from now on, in the slot just granted.
                spare.key = key
                self._spares_used += 1
                return spare
            self._close_soon([spare])  # of a Chromium that died since
        try:
            browser = await self._ensure_browser()
            generation = self._generation
            context = await browser.new_context(
                accept_downloads=True,
                storage_state=storage_state,  # type: ignore[arg-type]
            )
        except BaseException as error:
            self._close_soon(self._slots.abandon(Grant()))
            if isinstance(error, PlaywrightError):
                raise PortalUnavailable("could not open a browser context") from None
            raise
        self._created += 1
        return PooledContext(context, key, generation)

    async def _release(self, pooled: PooledContext, *, clean: bool) -> None:
        keep = clean and pooled.generation == self._generation and pooled.uses < self._max_uses
        if keep:
            # Shelved at once, its page put away meanwhile: the releasing step (a payment
            # about to return) does not wait the ~20 ms of that navigation; the next user
            # of the context does, should it come sooner.
            pooled.settling = self._in_background(self._close_pages(pooled.context))
        self._close_soon(self._slots.release(pooled, keep=keep))
        if keep and self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep_idle())
        self._spare_soon()

    def _spare_soon(self) -> None:
        """Make a spare once the pool has been quiet a moment (each release starts over)."""
        if not self._spare or self._shut:
            return
        if self._spare_timer is not None:
            self._spare_timer.cancel()
        self._spare_timer = asyncio.get_running_loop().call_later(
            _SPARE_AFTER_QUIET_SECONDS, self._start_spare
        )

    def _start_spare(self) -> None:
        self._spare_timer = None
        busy = self._slots.in_use or self._slots.waiting or self._spare_task is not None
        if self._spare_context is None and not busy:
            self._spare_task = asyncio.create_task(self._make_spare())

    async def _make_spare(self) -> None:
        try:
            browser = await self._ensure_browser()
            generation = self._generation
            context = await browser.new_context(accept_downloads=True)
            self._created += 1
            made = PooledContext(context, None, generation)
            try:
                await context.new_page()
            except BaseException:
                self._close_soon([made])
                raise
            self._spare_context = made
        except Exception as error:
            # Only a head start: whoever needs a blank context opens one as before.
            logger.warning("no spare browser context (%s)", type(error).__name__)
        finally:
            self._spare_task = None

    async def _close_pages(self, context: BrowserContext) -> bool:
        try:
            pages = list(context.pages)
            if self._keep_page and pages and not pages[0].is_closed():
                kept, pages = pages[0], pages[1:]
                await kept.goto("about:blank", timeout=_CLOSE_TIMEOUT_SECONDS * 1000)
                self._in_background(_collect_garbage(context, kept))
            for page in pages:
                await page.close()
        except PlaywrightError:
            return False
        return True

    def _close_soon(self, contexts: list[PooledContext]) -> None:
        for pooled in contexts:
            self._in_background(self._close_context(pooled.context))

    def _in_background(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _close_context(self, context: BrowserContext) -> None:
        self._closed += 1
        # A context of a dead browser may refuse or never answer; either way it is gone.
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(context.close(), _CLOSE_TIMEOUT_SECONDS)

    async def _sweep_idle(self) -> None:
        while True:
            await asyncio.sleep(max(self._idle_seconds / 2, 0.05))
            self._close_soon(self._slots.expired(time.monotonic() - self._idle_seconds))

    async def close(self) -> None:
        self._shut = True
        if self._spare_timer is not None:
            self._spare_timer.cancel()
            self._spare_timer = None
        if self._spare_task is not None:
            self._spare_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._spare_task
        if self._spare_context is not None:
            self._close_soon([self._spare_context])
            self._spare_context = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        self._close_soon(self._slots.drain())
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        browser, self._browser = self._browser, None
        if browser is not None:
            await browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None


async def _collect_garbage(context: BrowserContext, page: Page) -> None:
    """Free what the portal's pages left in a kept renderer's heap now, not when V8 next
    decides to: without it the kept renderer grew ~4 MB a use (94 → 172 MB PSS over 15
    payments) until its context was recycled; with it, it stays at ~56 MB, for 15-25 ms of
    the renderer's CPU a use (bench/RESULTS.md). Not awaited by the releasing user: a next
    use that comes at once waits at most for the collection to finish in the renderer."""
    with contextlib.suppress(PlaywrightError):
        session = await context.new_cdp_session(page)
        await session.send("HeapProfiler.collectGarbage")
        await session.detach()
