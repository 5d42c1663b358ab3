"""The bounded browser pool in real Chromium against the Cedar sandbox over HTTP: its limit
under a queue of users, recycled contexts, and a Chromium killed under its users."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext

from models.errors import PortalUnavailable
from models.settings import Settings
from portals.browser import BrowserPool
from sandbox.launcher import PortalProcess
from tests.chromium_processes import browser_processes, kill_and_wait

LIMIT = 4


@pytest_asyncio.fixture
async def pool() -> AsyncIterator[BrowserPool]:
    pool = BrowserPool(executable=Settings().browser, max_contexts=LIMIT, max_context_uses=20)
    try:
        yield pool
    finally:
        await pool.close()


async def started_chromium(pool: BrowserPool) -> int:
    """The pid of the Chromium ``pool`` launches (this process may run others)."""
    before = browser_processes()
    await pool.start()
    (pid,) = browser_processes() - before
    return pid


async def open_login(context: BrowserContext, base_url: str) -> None:
    page = await context.new_page()
    await page.goto(f"{base_url}/login")
    await page.get_by_label("Username").wait_for()


async def test_fifty_queued_users_never_exceed_the_limit(
    pool: BrowserPool, cedar_portal: PortalProcess
) -> None:
    active = peak = 0

    async def user(index: int) -> int:
        nonlocal active, peak
        # As many connections as slots: FIFO hands each released context to its own key.
        async with pool.context(key=f"connection-{index % LIMIT}") as context:
            active += 1
            peak = max(peak, active)
            try:
                await open_login(context, cedar_portal.base_url)
            finally:
                active -= 1
        return index

    started = time.monotonic()
    done = await asyncio.wait_for(asyncio.gather(*(user(i) for i in range(50))), 180)

    assert sorted(done) == list(range(50))
    stats = pool.stats()
    assert peak <= LIMIT and stats.peak_in_use <= LIMIT
    assert stats.peak_in_use == LIMIT  # the queue kept it full
    assert stats.in_use == 0 and stats.waiting == 0
    assert stats.idle <= LIMIT
    assert stats.contexts_created + stats.contexts_reused == 50
    assert stats.contexts_reused > 0
    assert stats.launches == 1
    print(f"50 users in {time.monotonic() - started:.1f}s: {stats}")


async def test_a_context_is_reused_cleanly_and_closed_after_an_error(
    pool: BrowserPool, cedar_portal: PortalProcess
) -> None:
    async with pool.context(key="a") as first:
        await open_login(first, cedar_portal.base_url)
        await first.new_page()  # left open: closed at release
    async with pool.context(key="a") as second:
        # One page kept for the next use, emptied; the others closed.
        assert second is first and [page.url for page in second.pages] == ["about:blank"]
        await open_login(second, cedar_portal.base_url)
    async with pool.context(key="b") as other:
        assert other is not first
    async with pool.context() as unkeyed:  # no key: never reused
        assert unkeyed is not first
    with pytest.raises(RuntimeError):
        async with pool.context(key="a") as third:
            assert third is first
            raise RuntimeError("the step failed")
    async with pool.context(key="a") as fourth:
        assert fourth is not first
    stats = pool.stats()
    assert (stats.contexts_reused, stats.contexts_created) == (2, 4)


async def test_without_kept_pages_a_reused_context_comes_back_empty(
    cedar_portal: PortalProcess,
) -> None:
    # BILLBRIDGE_BROWSER_KEEP_PAGE=false: memory over CPU, every use opens its own page.
    pool = BrowserPool(executable=Settings().browser, max_contexts=1, keep_page=False)
    try:
        async with pool.context(key="a") as first:
            await open_login(first, cedar_portal.base_url)
        async with pool.context(key="a") as second:
            assert second is first and second.pages == []
    finally:
        await pool.close()


async def test_a_context_named_in_use_is_shelved_under_that_key(
    pool: BrowserPool, cedar_portal: PortalProcess
) -> None:
    # A sign-in opens its context without a key and names the state it saved.
    async with pool.context() as signing_in:
        await open_login(signing_in, cedar_portal.base_url)
        pool.shelve_as(signing_in, "connection/state-1")
    async with pool.context(key="connection/state-1") as first_step:
        assert first_step is signing_in
    with pytest.raises(RuntimeError):
        async with pool.context() as failed:
            pool.shelve_as(failed, "connection/state-2")
            raise RuntimeError("the sign-in failed after saving")
    async with pool.context(key="connection/state-2") as fresh:
        assert fresh is not failed
    assert pool.stats().contexts_reused == 1


async def test_a_context_is_closed_after_its_uses_and_when_idle(
    cedar_portal: PortalProcess,
) -> None:
    pool = BrowserPool(max_contexts=2, max_context_uses=3, idle_seconds=0.3)
    try:
        seen = []
        for _ in range(4):
            async with pool.context(key="a") as context:
                seen.append(context)
        assert seen[0] is seen[1] is seen[2] and seen[3] is not seen[0]
        assert pool.stats().idle == 1
        await asyncio.sleep(0.8)
        assert pool.stats().idle == 0
        async with pool.context(key="a") as context:
            assert context is not seen[3]
    finally:
        await pool.close()


async def test_idle_contexts_make_room_and_a_cancelled_waiter_leaks_nothing(
    pool: BrowserPool,
) -> None:
    for key in "abcd":
        async with pool.context(key=key):
            pass
    assert pool.stats().idle == LIMIT
    async with pool.context(key="e"):  # the oldest idle one ("a") gave its slot
        assert pool.stats().idle == LIMIT - 1
    holders = [pool.context() for _ in range(LIMIT)]
    for holder in holders:
        await holder.__aenter__()
    waiter = asyncio.create_task(pool.context().__aenter__())
    await asyncio.sleep(0.1)
    assert pool.stats().waiting == 1 and not waiter.done()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    for holder in holders:
        await holder.__aexit__(None, None, None)
    stats = pool.stats()
    assert (stats.in_use, stats.waiting) == (0, 0)
    async with asyncio.timeout(5):  # every slot came back
        held = [pool.context() for _ in range(LIMIT)]
        for holder in held:
            await holder.__aenter__()
        for holder in held:
            await holder.__aexit__(None, None, None)


async def test_chromium_killed_under_its_users(
    pool: BrowserPool, cedar_portal: PortalProcess
) -> None:
    chromium = await started_chromium(pool)
    in_flight, killed = asyncio.Event(), asyncio.Event()
    outcomes: dict[int, str] = {}
    busy_at_kill: set[int] = set()

    async def user(index: int) -> None:
        try:
            async with pool.context(key=f"connection-{index % 3}") as context:
                await open_login(context, cedar_portal.base_url)
                if not killed.is_set():  # still busy on a page when the browser dies
                    busy_at_kill.add(index)
                    in_flight.set()
                    await context.pages[0].get_by_text("never on the page").wait_for(timeout=0)
            outcomes[index] = "finished"
        except PortalUnavailable:
            outcomes[index] = "unavailable"

    for index in range(3):  # idle contexts of the first Chromium, to be dropped
        async with pool.context(key=f"connection-{index}") as context:
            await open_login(context, cedar_portal.base_url)
    users = [asyncio.create_task(user(i)) for i in range(8)]
    await asyncio.wait_for(in_flight.wait(), 60)
    await asyncio.sleep(0.3)
    started = time.monotonic()
    kill_and_wait(chromium)
    killed.set()
    # Nothing hangs: bounded far above the seconds it takes, for a machine under load.
    await asyncio.wait_for(asyncio.gather(*users), 90)
    # Those on a page (or opening one) fail over, retryable; the queued run on a new Chromium.
    assert sorted(outcomes) == list(range(8)), outcomes
    assert busy_at_kill and all(outcomes[index] == "unavailable" for index in busy_at_kill)
    assert "finished" in outcomes.values(), outcomes
    print(f"8 users done {time.monotonic() - started:.1f}s after the kill: {outcomes}")

    async with pool.context(key="connection-0") as context:  # a new Chromium, a new context
        await open_login(context, cedar_portal.base_url)
    stats = pool.stats()
    assert (stats.launches, stats.disconnects) == (2, 1)
    assert (stats.in_use, stats.waiting) == (0, 0)
    assert stats.idle <= LIMIT
    assert chromium not in browser_processes()


async def spare_made(pool: BrowserPool) -> None:
    """Until the pool has its spare (made after a quiet moment), 10 s at most."""
    for _ in range(200):
        if pool.stats().spare_ready:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no spare context was made: {pool.stats()}")


async def test_a_sign_in_takes_the_spare_made_in_a_quiet_moment(
    cedar_portal: PortalProcess,
) -> None:
    pool = BrowserPool(executable=Settings().browser, max_contexts=2, spare=True)
    try:
        await pool.start()
        await spare_made(pool)
        async with pool.context() as signing_in:  # restores nothing: the spare
            assert [page.url for page in signing_in.pages] == ["about:blank"]
            assert await signing_in.cookies() == []
            await open_login(signing_in, cedar_portal.base_url)
            # What signing in leaves: a session cookie.
            await signing_in.add_cookies(
                [{"name": "session", "value": "signed-in", "url": cedar_portal.base_url}]
            )
            pool.shelve_as(signing_in, "connection/state-1")
        await spare_made(pool)  # a new one
        async with pool.context(key="connection/state-1") as first_step:
            assert first_step is signing_in
        async with pool.context() as next_sign_in:
            assert next_sign_in is not signing_in and await next_sign_in.cookies() == []
        stats = pool.stats()
        assert (stats.spares_used, stats.contexts_reused, stats.peak_in_use) == (2, 1, 1)
    finally:
        await pool.close()


async def test_the_spare_is_made_only_when_quiet_and_is_never_in_use_beyond_the_limit() -> None:
    pool = BrowserPool(executable=Settings().browser, max_contexts=1, spare=True)
    try:
        await pool.start()
        await spare_made(pool)
        empty_state: dict[str, Any] = {"cookies": [], "origins": []}
        async with pool.context(empty_state, key="connection/state-1") as restored:
            assert restored.pages == []  # a restore never takes the spare
        async with pool.context() as signing_in:  # took the spare, and the only slot
            assert pool.stats().idle == 0 and not pool.stats().spare_ready
            await asyncio.sleep(1.0)  # busy: no spare is made while a context is in use
            assert not pool.stats().spare_ready
        await spare_made(pool)
        stats = pool.stats()
        assert (stats.spares_used, stats.peak_in_use, stats.contexts_closed) == (1, 1, 2)
        assert signing_in.pages == []  # closed after its use: never a spare again
    finally:
        await pool.close()
