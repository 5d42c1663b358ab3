"""Driving portal pages with every browser failure turned into a typed BillBridge error.

Shared by all vendors' adapters and page objects. The mapping, in one place:

    HTTP 503 + the vendor's maintenance page   → PortalInMaintenance (portals/maintenance.py)
    HTTP 5xx / 429 answer                      → PortalUnavailable (retryable)
    net::ERR_* (refused, reset, empty reply…)  → PortalUnavailable (retryable)
    browser page/context closed under us       → PortalUnavailable (retryable)
    a page element never found in time         → PortalChanged (the page answered, then
                                                 lacked what the adapter needs)
    any other Playwright timeout               → PortalTimeout (retryable)
    any other Playwright error                 → PortalChanged (a locator no longer fits)

Messages name the step and the network error code only: Playwright's own messages can quote
page text (patient names, amounts), and these messages end up in workflow history.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import Download, Page, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from models.errors import (
    BillBridgeError,
    PortalChanged,
    PortalTimeout,
    PortalUnavailable,
)
from portals.consent_banners import accept_banners
from portals.maintenance import raise_if_in_maintenance

logger = logging.getLogger(__name__)

_NET_ERROR = re.compile(r"net::ERR_[A-Z0-9_]+")
_INTERRUPTED = "is interrupted by another navigation"
_CLOSED = ("has been closed", "Target closed", "Browser closed")
# Playwright names the API that timed out first: an element lookup on a page that had already
# loaded (every navigation waits for its document), as opposed to waiting on the portal.
_ELEMENT_WAITS = ("Locator.", "Page.wait_for_selector", "Frame.wait_for_selector")
TOO_MANY_REQUESTS = 429
SERVER_ERROR = 500


@dataclass(frozen=True)
class PortalTimeouts:
    """Short on purpose: an activity retry with a fresh page beats one long hang."""

    navigation_ms: float = 15_000
    action_ms: float = 10_000

    def apply(self, page: Page) -> None:
        page.set_default_navigation_timeout(self.navigation_ms)
        page.set_default_timeout(self.action_ms)


def typed_error(step: str, error: PlaywrightError) -> BillBridgeError:
    message = error.message or ""
    if isinstance(error, PlaywrightTimeoutError):
        if message.startswith(_ELEMENT_WAITS):
            # A changed page, not a slow one: retrying would only wait for minutes again.
            return PortalChanged(f"{step}: the page lacks an element the adapter needs")
        return PortalTimeout(f"{step}: the portal did not answer in time")
    network = _NET_ERROR.search(message)
    if network:
        return PortalUnavailable(f"{step}: the portal could not be reached ({network.group()})")
    if any(marker in message for marker in _CLOSED):
        return PortalUnavailable(f"{step}: the browser page closed before the step finished")
    return PortalChanged(f"{step}: the page did not look as expected")


@asynccontextmanager
async def errors_mapped(step: str) -> AsyncIterator[None]:
    """Re-raise Playwright errors inside the block as typed errors; typed ones pass through."""
    try:
        yield
    except BillBridgeError:
        raise
    except PlaywrightError as error:
        typed = typed_error(step, error)
        # Never the browser's own message: its call log quotes the page's HTML, see the
        # module docstring; "from None" for the same reason.
        logger.debug("browser error: %s", typed.message)
        raise typed from None


def raise_for_status(response: Response | None, step: str) -> None:
    if response is None:
        return
    if response.status >= SERVER_ERROR or response.status == TOO_MANY_REQUESTS:
        raise PortalUnavailable(f"{step}: the portal answered HTTP {response.status}")


async def goto(page: Page, url: str, step: str) -> Response | None:
    """Open a URL; 5xx and network failures raise, any other status is returned to the caller."""
    async with errors_mapped(step):
        await accept_banners(page)
        try:
            response = await page.goto(url, wait_until="domcontentloaded")
        except PlaywrightError as error:
            if _INTERRUPTED not in (error.message or ""):
                raise
            # The browser was still committing its own error page for an earlier failed load
            # (a dropped connection); that page replaced ours, so ask once more.
            response = await page.goto(url, wait_until="domcontentloaded")
    await raise_if_in_maintenance(page, response, step)
    raise_for_status(response, step)
    return response


async def navigate_by(
    page: Page, action: Callable[[], Awaitable[None]], step: str
) -> Response | None:
    """Perform an action that loads a new page (a form submit, a link) and wait for it."""
    started_at = page.url
    try:
        async with errors_mapped(step):
            await accept_banners(page)
            async with page.expect_navigation(wait_until="domcontentloaded") as navigation:
                await action()
            response = await navigation.value
    except PortalUnavailable:
        await _let_error_page_commit(page, started_at)
        raise
    await raise_if_in_maintenance(page, response, step)
    raise_for_status(response, step)
    return response


async def _let_error_page_commit(page: Page, started_at: str) -> None:
    """Wait for the browser's own error page after a failed load, if it is not there yet.

    Otherwise it commits a moment later and cuts short whatever navigation comes next.
    """
    if page.url != started_at:
        return
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_event(
            "framenavigated", predicate=lambda frame: frame == page.main_frame, timeout=2_000
        )


async def download_by(page: Page, action: Callable[[], Awaitable[None]], step: str) -> Download:
    """Perform an action that starts a download and wait for the file to begin arriving.

    A download link that answers with an error page instead of a file never fires the download
    event; watching the navigation's response turns that into PortalUnavailable at once
    rather than a timeout.
    """

    def is_page_load(response: Response) -> bool:
        return response.request.is_navigation_request() and response.frame == page.main_frame

    async with errors_mapped(step):
        async with page.expect_download() as started:
            async with page.expect_response(is_page_load) as answered:
                await action()
            answer = await answered.value
            await raise_if_in_maintenance(page, answer, step)
            raise_for_status(answer, step)
        return await started.value
