"""The browser pool's slot bookkeeping without a browser: limit, order, reuse, eviction."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest
from playwright.async_api import BrowserContext

from portals.context_slots import ContextSlots, Grant, PooledContext


def pooled(key: str | None, generation: int = 0) -> PooledContext:
    return PooledContext(cast(BrowserContext, object()), key, generation)


async def test_the_limit_counts_idle_contexts_and_the_oldest_idle_makes_room() -> None:
    slots = ContextSlots(2)
    a, b = pooled("a"), pooled("b")
    for context in (a, b):
        grant, evicted = await slots.acquire(context.key, 0)
        assert grant == Grant() and evicted == []
        assert slots.release(context, keep=True) == []
    assert (slots.open, slots.idle) == (2, 2)
    grant, evicted = await slots.acquire("a", 0)
    assert grant.reuse is a and evicted == []
    grant, evicted = await slots.acquire("c", 0)  # full: "b", idle, gives its slot
    assert grant == Grant() and evicted == [b]
    assert (slots.open, slots.in_use, slots.peak_in_use) == (2, 2, 2)


async def test_waiters_are_served_in_order_reused_only_when_their_key_matches() -> None:
    slots = ContextSlots(1)
    a = pooled("a")
    await slots.acquire("a", 0)
    first = asyncio.create_task(slots.acquire("b", 0))
    second = asyncio.create_task(slots.acquire("a", 0))
    await asyncio.sleep(0)
    assert slots.waiting == 2
    assert slots.release(a, keep=True) == [a]  # "b" is first: "a" is closed for it
    grant, _ = await first
    assert grant == Grant() and not second.done()
    b = pooled("b")
    assert slots.release(b, keep=False) == [b]
    grant, _ = await second
    assert grant == Grant() and slots.open == 1


async def test_a_cancelled_waiter_leaks_no_slot() -> None:
    slots = ContextSlots(1)
    a = pooled("a")
    await slots.acquire("a", 0)
    waiter = asyncio.create_task(slots.acquire("a", 0))
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    slots.release(a, keep=False)
    assert (slots.open, slots.in_use, slots.waiting) == (0, 0, 0)


async def test_idle_contexts_of_a_dead_browser_are_never_handed_out() -> None:
    slots = ContextSlots(2)
    old = pooled("a", generation=0)
    await slots.acquire("a", 0)
    slots.release(old, keep=True)
    assert slots.drop_generation(0) == [old]
    grant, evicted = await slots.acquire("a", 1)
    assert grant == Grant() and evicted == []
    assert slots.open == 1
