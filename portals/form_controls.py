"""Filling a portal form's controls where every vendor's page object does it the same way."""

from __future__ import annotations

from playwright.async_api import Locator


async def check_the_one_valued(radios: Locator, value: str) -> bool:
    """Check the radio whose value is ``value`` (a card on file's processor token); False, and
    nothing checked, when no radio has it."""
    for radio in await radios.all():
        if await radio.get_attribute("value") == value:
            await radio.check()
            return True
    return False
