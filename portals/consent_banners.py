"""Cookie and privacy banners: accepted whenever one covers the page, on every portal.

A redesign often adds one (``layout=v2`` in the sandboxes does), and until it is answered it
lies over the buttons an adapter clicks. Playwright's locator handler answers it right before
the next action that it would block, wherever the flow is, so no page object has to know.

What counts as one, whatever the vendor: a dialog or region named for cookies, privacy or
consent, answered with its accepting button ("Accept", "Accept all cookies", "Got it", …).
"""

from __future__ import annotations

import re
import weakref

from playwright.async_api import Locator, Page

BANNER_NAME = re.compile(r"cookie|privacy|consent", re.IGNORECASE)
ACCEPT = re.compile(r"^\s*(accept|allow|agree|i agree|got it|i understand|ok)\b", re.IGNORECASE)

_watched: weakref.WeakSet[Page] = weakref.WeakSet()


def banner(page: Page) -> Locator:
    return page.get_by_role("dialog", name=BANNER_NAME).or_(
        page.get_by_role("region", name=BANNER_NAME)
    )


async def accept_banners(page: Page) -> None:
    """Once per page: answer a consent banner whenever one shows."""
    if page in _watched:
        return
    _watched.add(page)
    found = banner(page)

    async def accept(shown: Locator) -> None:
        await shown.get_by_role("button", name=ACCEPT).first.click()

    await page.add_locator_handler(found, accept)
