"""The browser pool's bookkeeping: a fixed number of context slots, idle contexts by key.

No browser calls here, only counters, a FIFO of waiters and the idle shelf, all changed
synchronously on the event loop, so no lock is needed and a cancelled waiter never leaks a
slot. An idle context keeps its slot: ``open`` (in use + idle + being created) never exceeds
``limit``. A caller who finds no free slot takes the oldest idle context's slot (that
context is closed) before it waits; a released context goes to the first waiter (reused if
the keys match, else closed to make room), so waiters are served in order.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.async_api import BrowserContext
from pydantic import BaseModel, ConfigDict


class BrowserPoolStats(BaseModel):
    """What the pool has done since it was built, for logs, tests and benchmarks."""

    model_config = ConfigDict(frozen=True)

    limit: int
    in_use: int
    idle: int
    waiting: int
    peak_in_use: int
    launches: int
    disconnects: int
    contexts_created: int
    contexts_reused: int
    contexts_closed: int
    spares_used: int = 0  # blank contexts made ahead and taken by a sign-in
    spare_ready: bool = False


@dataclass(eq=False)
class PooledContext:
    context: BrowserContext
    key: str | None
    generation: int  # which launch of Chromium it belongs to
    uses: int = 1
    parked_at: float = field(default_factory=time.monotonic)
    # Its last use's pages being put away (True: ready for the next; False: close it).
    settling: asyncio.Task[bool] | None = None


@dataclass(frozen=True)
class Grant:
    """A slot for a new context, or an idle context to reuse (which brings its own slot)."""

    reuse: PooledContext | None = None


_Waiter = tuple[str | None, "asyncio.Future[Grant]"]


class ContextSlots:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a browser pool needs at least one context slot")
        self.limit = limit
        self.open = 0
        self.in_use = 0
        self.peak_in_use = 0
        self.reused = 0
        self._idle: list[PooledContext] = []  # oldest first
        self._waiters: deque[_Waiter] = deque()

    @property
    def idle(self) -> int:
        return len(self._idle)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self, key: str | None, generation: int) -> tuple[Grant, list[PooledContext]]:
        """A grant, and the idle contexts evicted to make room (the caller closes them)."""
        evicted: list[PooledContext] = []
        grant = self._grant_now(key, generation, evicted)
        if grant is None:
            future: asyncio.Future[Grant] = asyncio.get_running_loop().create_future()
            waiter: _Waiter = (key, future)
            self._waiters.append(waiter)
            try:
                grant = await future
            except asyncio.CancelledError:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                elif future.done() and not future.cancelled():
                    # Granted in the same loop turn as the cancellation: hand it on.
                    evicted += self.give_back(future.result())
                raise
        if grant.reuse is not None and grant.reuse.generation != generation:
            evicted.append(grant.reuse)  # its Chromium died meanwhile; keep only the slot
            grant = Grant()
        self.in_use += 1
        self.peak_in_use = max(self.peak_in_use, self.in_use)
        if grant.reuse is not None:
            self.reused += 1
            grant.reuse.uses += 1
        return grant, evicted

    def _grant_now(
        self, key: str | None, generation: int, evicted: list[PooledContext]
    ) -> Grant | None:
        if any(not future.done() for _, future in self._waiters):
            return None  # first come, first served
        if key is not None:
            for pooled in reversed(self._idle):  # the most recently used: the warmest
                if pooled.key == key and pooled.generation == generation:
                    self._idle.remove(pooled)
                    return Grant(reuse=pooled)
        if self.open < self.limit:
            self.open += 1
            return Grant()
        if self._idle:
            evicted.append(self._idle.pop(0))
            return Grant()
        return None

    def release(self, pooled: PooledContext, *, keep: bool) -> list[PooledContext]:
        """A context back from its user: to the first waiter, onto the shelf, or closed.

        Returns the contexts the caller must close."""
        self.in_use -= 1
        if keep and pooled.key is not None:
            return self._hand_on(pooled)
        self._free_slot()
        return [pooled]

    def abandon(self, grant: Grant) -> list[PooledContext]:
        """A grant its user could not use (the context failed to open)."""
        self.in_use -= 1
        return self.give_back(grant)

    def give_back(self, grant: Grant) -> list[PooledContext]:
        """A grant never used (the context could not be opened, or its user was cancelled)."""
        if grant.reuse is not None:
            return self._hand_on(grant.reuse)
        self._free_slot()
        return []

    def _hand_on(self, pooled: PooledContext) -> list[PooledContext]:
        waiter = self._next_waiter()
        if waiter is not None:
            key, future = waiter
            if key is not None and key == pooled.key:
                future.set_result(Grant(reuse=pooled))
                return []
            future.set_result(Grant())  # the slot passes on; this context makes room
            return [pooled]
        pooled.parked_at = time.monotonic()
        self._idle.append(pooled)
        return []

    def _free_slot(self) -> None:
        waiter = self._next_waiter()
        if waiter is not None:
            waiter[1].set_result(Grant())
        else:
            self.open -= 1

    def _next_waiter(self) -> _Waiter | None:
        # A cancelled waiter's future is done before its task runs to leave the queue.
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter[1].done():
                return waiter
        return None

    def expired(self, parked_before: float) -> list[PooledContext]:
        """Idle contexts parked before ``parked_before`` (monotonic): off the shelf."""
        return self._drop(lambda pooled: pooled.parked_at < parked_before)

    def drop_generation(self, generation: int) -> list[PooledContext]:
        """Idle contexts of a Chromium that died: off the shelf, their slots freed."""
        return self._drop(lambda pooled: pooled.generation == generation)

    def drain(self) -> list[PooledContext]:
        return self._drop(lambda pooled: True)

    def _drop(self, matches: Callable[[PooledContext], bool]) -> list[PooledContext]:
        dropped = [pooled for pooled in self._idle if matches(pooled)]
        for pooled in dropped:
            self._idle.remove(pooled)
            self._free_slot()
        return dropped
