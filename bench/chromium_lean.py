"""Chromium's share of a warm payment, per launch flag set and tracing: A/B, interleaved.

Run with ``.venv/bin/python -m bench.chromium_lean [--runs N] [--variants a,b] [--memory R]``
(variants: see ``VARIANTS``; the first is the baseline).
No Temporal here: one Cedar sandbox and, per variant, a ``BrowserPool`` of its own (its own
Playwright driver and Chromium) under the worker's ``PortalSessions`` and
``PaymentActivities.pay_statement``, run in an ``ActivityEnvironment``. Every variant
pays on the same four signed-in connections, so each payment is the worker's warm one (the
context reused from the pool, the trace started and discarded, one page).

- CPU: N rounds, one warm payment per variant per round in turn; each payment's CPU-seconds
  are its driver + Chromium tree's (psutil), while the other variants' browsers sit idle.
- Memory (``--memory R``): R rounds, per variant in turn a fresh pool alone: PSS of its
  driver + Chromium tree sampled every 0.1 s over four payments one at a time, then four at
  once (one per connection): (four − one) / 3 is the memory per extra concurrent context.

Prints medians and the load average; it writes nothing (notes go to bench/RESULTS.md by
hand).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import psutil
from playwright.async_api import BrowserContext
from temporalio.testing import ActivityEnvironment

from activities.payments import PaymentActivities
from activities.portal_sessions import PortalSessions
from activities.sessions import SessionActivities
from bench.common import machine, run_main, say
from bench.cpu_accounting import load_average, tree_cpu_seconds
from bench.process_memory import tree_pss_mb
from models.connection_session import BeginLogin, CodeEntry, LoginStep, SessionLease
from models.connections import PortalName
from models.money import Money
from models.payments import PaymentSubmission, PayStatementInput
from models.settings import Settings
from portals.browser import CHROMIUM_ARGS, BrowserPool
from portals.one_time_codes import current_code
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.launcher import PortalProcess
from stores.artifacts import open_artifact_store
from stores.connections import ConnectionRegistry, save_connection
from stores.secrets import open_secret_store
from stores.session_store import SessionStateStore, session_key

USERS = ("demo.patient", "patient01", "patient02", "patient03")
AMOUNT_CENTS = 100
LOW_BALANCE_CENTS = 1_000

# How PortalSessions' per-use trace is replaced: as is (no DOM snapshots), with DOM
# snapshots (as before 2026-12-03), none, or one trace per context with a chunk per use.
TRACE_AS_IS, SNAPSHOTS, UNTRACED, CHUNKED = "as is", "snapshots", "none", "chunked"

# name -> (extra launch flags, tracing, one page kept per idle context)
VARIANTS: dict[str, tuple[list[str], str, bool]] = {
    "before": ([], SNAPSHOTS, False),  # the pool and trace as they were before this bench
    "landed": ([], TRACE_AS_IS, True),
    "snapshots": ([], SNAPSHOTS, True),
    "new-page": ([], TRACE_AS_IS, False),
    "untraced": ([], UNTRACED, True),
    "trace-chunked": ([], CHUNKED, True),
    "no-site-isolation": (["--disable-site-isolation-trials"], TRACE_AS_IS, True),
    "renderer-limit-1": (["--renderer-process-limit=1"], TRACE_AS_IS, True),
    "js-lite": (["--js-flags=--lite-mode"], TRACE_AS_IS, True),
    "js-small-young": (["--js-flags=--max-semi-space-size=1"], TRACE_AS_IS, True),
    "in-process-gpu": (["--in-process-gpu"], TRACE_AS_IS, True),
}


class _Tracing:
    """``context.tracing`` as a variant has it, for PortalSessions' start and stop."""

    def __init__(self, context: BrowserContext, mode: str, chunked: set[int]) -> None:
        self._real = context.tracing
        self._mode = mode
        self._id = id(context)
        self._chunked = chunked  # contexts whose trace is running: a chunk per use

    async def start(self, **options: Any) -> None:
        if self._mode == UNTRACED:
            return
        if self._mode == SNAPSHOTS:
            options["snapshots"] = True
        if self._mode == CHUNKED and self._id in self._chunked:
            await self._real.start_chunk()
            return
        self._chunked.add(self._id)
        await self._real.start(**options)

    async def stop(self, **options: Any) -> None:
        if self._mode == UNTRACED:
            return
        if self._mode == CHUNKED:
            await self._real.stop_chunk(**options)
            return
        await self._real.stop(**options)


class _VariantContext:
    def __init__(self, context: BrowserContext, mode: str, chunked: set[int]) -> None:
        self._context = context
        self.tracing = _Tracing(context, mode, chunked)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class _VariantPool(BrowserPool):
    def __init__(self, mode: str, **options: Any) -> None:
        super().__init__(**options)
        self._mode = mode
        self._chunked: set[int] = set()

    def shelve_as(self, context: BrowserContext, key: str) -> None:
        real = context._context if isinstance(context, _VariantContext) else context
        super().shelve_as(real, key)

    @asynccontextmanager
    async def context(
        self, storage_state: dict[str, Any] | None = None, *, key: str | None = None
    ) -> AsyncIterator[Any]:
        async with super().context(storage_state, key=key) as context:
            if self._mode == TRACE_AS_IS:
                yield context
            else:
                yield _VariantContext(context, self._mode, self._chunked)


@dataclass
class Stores:
    connections: ConnectionRegistry
    secrets: Any
    artifacts: Any
    states: SessionStateStore


@dataclass
class Variant:
    name: str
    pool: BrowserPool
    payments: PaymentActivities
    sessions: SessionActivities
    driver_pid: int = 0
    cpu: list[float] = field(default_factory=list)
    one: list[float] = field(default_factory=list)  # PSS samples, MB
    four: list[float] = field(default_factory=list)
    four_peak: list[float] = field(default_factory=list)
    per_context: list[float] = field(default_factory=list)


def _stores(settings: Settings) -> Stores:
    secrets = open_secret_store(settings)
    return Stores(
        ConnectionRegistry(settings.connections_file),
        secrets,
        open_artifact_store(settings, secrets),
        SessionStateStore(settings.sessions_dir, session_key(secrets, settings.session_key)),
    )


async def _open_variant(name: str, settings: Settings, stores: Stores) -> Variant:
    extra, mode, keep_page = VARIANTS[name]
    pool = _VariantPool(
        mode,
        executable=settings.browser,
        max_contexts=4,
        idle_seconds=3600,
        args=CHROMIUM_ARGS + extra,
        keep_page=keep_page,
    )
    before = {child.pid for child in psutil.Process().children()}
    await pool.start()
    (driver,) = [c.pid for c in psutil.Process().children() if c.pid not in before]
    portal = PortalSessions(
        pool, stores.connections, stores.secrets, stores.artifacts, stores.states
    )
    return Variant(
        name,
        pool,
        PaymentActivities(portal, stores.artifacts),
        SessionActivities(portal),
        driver_pid=driver,
    )


async def _sign_in(variant: Variant, user: SandboxUser) -> SessionLease:
    env = ActivityEnvironment()
    step: Any = await env.run(variant.sessions.begin_login, BeginLogin(connection_id=user.username))
    assert isinstance(step, LoginStep)
    if step.state_id is not None:
        return SessionLease(connection_id=user.username, state_id=step.state_id)
    assert step.preauth_state_id is not None
    entry = CodeEntry(
        connection_id=user.username,
        preauth_state_id=step.preauth_state_id,
        code=current_code(user.totp_secret),
    )
    outcome: Any = await env.run(variant.sessions.submit_mfa_code, entry)
    assert outcome.accepted and outcome.state_id
    return SessionLease(connection_id=user.username, state_id=outcome.state_id)


class Bench:
    def __init__(self, admin: SandboxAdmin, users: list[SandboxUser], statements: list[str]):
        self.admin = admin
        self.users = users
        self.statements = statements
        self.leases: list[SessionLease] = []
        self.resets = 0

    async def sign_in_all(self, variant: Variant) -> None:
        self.leases = [await _sign_in(variant, user) for user in self.users]

    async def ensure_balance(self, variant: Variant) -> None:
        low = any(
            self.admin.statement(s).balance_cents < LOW_BALANCE_CENTS for s in self.statements
        )
        if low:
            self.admin.reset()  # signs everybody out
            self.resets += 1
            await self.sign_in_all(variant)

    async def pay(self, variant: Variant, index: int) -> None:
        user, lease = self.users[index], self.leases[index]
        request = PayStatementInput(
            lease=lease,
            submission=PaymentSubmission(
                statement_id=self.statements[index],
                amount=Money(amount_cents=AMOUNT_CENTS),
                payment_method_token=user.cards[0].token,
                reference=f"lean-{uuid.uuid4().hex[:12]}",
            ),
        )
        paid: Any = await ActivityEnvironment().run(variant.payments.pay_statement, request)
        if paid.payment.amount.amount_cents != AMOUNT_CENTS or paid.already_posted:
            raise RuntimeError(f"unexpected payment: {paid}")


async def _sampled(root: int, work: Callable[[], Awaitable[Any]]) -> list[float]:
    samples: list[float] = []
    task = asyncio.ensure_future(work())
    while not task.done():
        samples.append(await asyncio.to_thread(tree_pss_mb, root))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), 0.1)
    await task
    return samples


async def measure(names: Sequence[str], runs: int, memory_rounds: int, work: Path) -> None:
    portal = PortalProcess("cedar", work / "cedar.sqlite3", log_path=work / "cedar.log")
    portal.start()
    try:
        with SandboxAdmin(portal.base_url) as admin:
            settings = Settings(home=work / "home")
            users = [admin.user(name) for name in USERS]
            for user in users:
                save_connection(
                    settings,
                    connection_id=user.username,
                    portal=PortalName.CEDAR,
                    base_url=portal.base_url,
                    username=user.username,
                    password=user.password,
                    totp_secret=user.totp_secret,
                )
            statements = [
                max(user.statements, key=lambda s: s.balance_cents).statement_id for user in users
            ]
            stores = _stores(settings)
            bench = Bench(admin, users, statements)
            say(f"load before: {load_average()}")
            if runs:
                await _cpu_phase(names, runs, settings, stores, bench)
            if memory_rounds:
                await _memory_phase(names, memory_rounds, settings, stores, bench)
            say(f"load after: {load_average()}; sandbox resets: {bench.resets}")
    finally:
        portal.stop()


async def _cpu_phase(
    names: Sequence[str], runs: int, settings: Settings, stores: Stores, bench: Bench
) -> None:
    variants = [await _open_variant(name, settings, stores) for name in names]
    try:
        await bench.sign_in_all(variants[0])
        for variant in variants:  # warm-up: the pooled context, Chromium's caches
            await bench.pay(variant, 0)
            await bench.pay(variant, 0)
        for run in range(1, runs + 1):
            line = []
            for variant in variants if run % 2 else reversed(variants):
                await bench.ensure_balance(variants[0])
                before = tree_cpu_seconds(variant.driver_pid)
                await bench.pay(variant, 0)
                variant.cpu.append(tree_cpu_seconds(variant.driver_pid) - before)
                line.append(f"{variant.name} {variant.cpu[-1]:.2f}")
            say(f"cpu run {run}/{runs} (load {load_average()}): " + ", ".join(line))
    finally:
        for variant in variants:
            await variant.pool.close()
    base = statistics.median(variants[0].cpu)
    say("\nCPU-seconds of the driver + Chromium per warm payment (median, min):")
    for variant in variants:
        median = statistics.median(variant.cpu)
        say(
            f"  {variant.name:20} {median:.3f}  {min(variant.cpu):.3f}  "
            f"({median / base - 1:+.1%} vs {variants[0].name})"
        )


async def _memory_phase(
    names: Sequence[str], rounds: int, settings: Settings, stores: Stores, bench: Bench
) -> None:
    results: dict[str, Variant] = {}
    for round_ in range(1, rounds + 1):
        for name in names if round_ % 2 else list(reversed(names)):
            variant = await _open_variant(name, settings, stores)
            try:
                await bench.ensure_balance(variant)
                if not bench.leases:
                    await bench.sign_in_all(variant)
                for index in range(len(USERS)):  # every connection's context pooled, warm
                    await bench.pay(variant, index)
                root = variant.driver_pid
                one = await _sampled(root, partial(_one_at_a_time, bench, variant))
                four = await _sampled(root, partial(_four_at_once, bench, variant))
            finally:
                await variant.pool.close()
            kept = results.setdefault(name, variant)
            kept.one.append(statistics.median(one))
            kept.four.append(statistics.median(four))
            kept.four_peak.append(max(four))
            kept.per_context.append((statistics.median(four) - statistics.median(one)) / 3)
            say(
                f"memory round {round_}/{rounds} {name} (load {load_average()}): one "
                f"{kept.one[-1]:.0f} MB, four {kept.four[-1]:.0f} (peak {max(four):.0f}), "
                f"per extra context {kept.per_context[-1]:.1f}"
            )
    say("\nPSS of the driver + Chromium, MB (medians over rounds):")
    say("  variant              one-at-a-time  four-at-once  four peak  per extra context")
    for name in names:
        v = results[name]
        say(
            f"  {name:20} {statistics.median(v.one):13.0f} {statistics.median(v.four):13.0f} "
            f"{statistics.median(v.four_peak):10.0f} {statistics.median(v.per_context):18.1f}"
        )


async def _one_at_a_time(bench: Bench, variant: Variant) -> None:
    for index in range(len(USERS)):
        await bench.pay(variant, index)


async def _four_at_once(bench: Bench, variant: Variant) -> None:
    await asyncio.gather(*(bench.pay(variant, index) for index in range(len(USERS))))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chromium_lean", description=__doc__)
    parser.add_argument("--runs", type=int, default=8, help="CPU rounds (0: skip)")
    parser.add_argument("--memory", type=int, default=0, help="memory rounds (default 0)")
    parser.add_argument("--variants", default="before,landed", help=",".join(VARIANTS))
    args = parser.parse_args(argv)
    names = args.variants.split(",")
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {unknown}")
    say(f"machine: {machine()}; started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    with tempfile.TemporaryDirectory(prefix="bench-lean-") as tmp:
        asyncio.run(measure(names, args.runs, args.memory, Path(tmp)))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    run_main(main)
