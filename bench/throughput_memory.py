"""Payments per minute at four connections, and what the worker's memory does.

Run with ``.venv/bin/python -m bench.throughput_memory [--rounds R] [--payments N]``. It
starts its own Temporal dev server, Cedar sandbox and worker (default pool: four browser
contexts), adds four connections (``demo.patient``, ``patient01``…``03``), then measures:

- **throughput**: R $1.00 payments per connection, BillBridge one at a time (4R in a row,
  connections in turn), BillBridge four at once (one stream per connection), and four bare
  Playwright scripts at once (``bench.payment_vs_bare.bare_payment``, one Chromium, a
  context per payment); each after a warm-up payment per connection (sign-ins excluded);
- **memory**: PSS summed over the worker process and its Chromium children, sampled every
  0.25 s in both BillBridge phases: (median at four − median at one) / 3 is the cost of
  an extra concurrent context; settled PSS with the four contexts pooled and idle, against
  the growth baseline's one, / 3 is the cost of an extra pooled context (each holds its kept
  page's renderer between payments); then N payments in a row on one connection, PSS (median of
  five samples over a second) after each 25th, split by process kind in the log: growth
  from the first (after a warm-up of 10, 35 s for the earlier phases' idle contexts to
  close and one more payment, so it holds the one pooled context every checkpoint holds)
  to the last.

With ``--write`` (the default) it rewrites its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Browser, async_playwright

from bench.common import (
    RESULTS_FILE,
    BenchStack,
    bench_stack,
    machine,
    run_main,
    say,
    write_section,
)
from bench.payment_vs_bare import bare_payment
from bench.process_memory import chromium_processes, tree_pss_by_kind_mb, tree_pss_mb
from models.connections import PortalName
from models.payments import PostPaymentRequest
from models.settings import Settings
from portals.browser import CHROMIUM_ARGS, find_chromium
from sandbox.admin_client import SandboxAdmin, SandboxUser
from starters.client import BillBridgeClient
from stores.connections import save_connection

SECTION = "throughput_memory"
USERS = ("demo.patient", "patient01", "patient02", "patient03")
AMOUNT_CENTS = 100
IDLE_SETTLE_SECONDS = 35  # the worker's browser_context_idle_seconds (30) and a sweep
# After the last payment of a phase: the kept pages' heaps collected, the spare made.
POOLED_SETTLE_SECONDS = 3


@dataclass
class Account:
    connection_id: str
    user: SandboxUser
    statement_id: str


@dataclass
class Phase:
    name: str
    payments: int = 0
    seconds: float = 0.0
    pss_mb: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average at start and end

    @property
    def per_minute(self) -> float:
        return self.payments / self.seconds * 60


@dataclass
class Growth:
    payments: int = 0
    samples: list[tuple[int, float]] = field(default_factory=list)  # payments done, PSS MB
    resets: int = 0
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)

    @property
    def percent(self) -> float:
        first, last = self.samples[0][1], self.samples[-1][1]
        return (last - first) / first * 100


@dataclass
class Results:
    phases: dict[str, Phase] = field(default_factory=dict)
    growth: Growth = field(default_factory=Growth)
    chromium: str = ""
    # Settled PSS with the four connections' contexts pooled and idle (after four at once).
    four_pooled_mb: float = 0.0


def _load() -> float:
    return os.getloadavg()[0]


def _split(worker: int) -> str:
    kinds = tree_pss_by_kind_mb(worker)
    return ", ".join(f"{kind} {mb:.0f}" for kind, mb in sorted(kinds.items()))


class Bench:
    def __init__(
        self,
        client: BillBridgeClient,
        admin: SandboxAdmin,
        base_url: str,
        accounts: list[Account],
        worker: int,
    ) -> None:
        self.client, self.admin, self.base_url, self.accounts = client, admin, base_url, accounts
        self.worker = worker

    async def pay(self, account: Account, cents: int = AMOUNT_CENTS) -> None:
        request = PostPaymentRequest(
            connection_id=account.connection_id,
            statement_id=account.statement_id,
            amount_cents=cents,
            payment_method_token=account.user.cards[0].token,
            idempotency_key=f"bench-{uuid.uuid4().hex}",
        )
        result = await self.client.pay(request)
        if result.already_posted or result.payment.amount.amount_cents != cents:
            raise RuntimeError(f"unexpected payment result: {result}")

    def fresh_balances(self, needed_cents: int) -> None:
        self.admin.reset()
        for account in self.accounts:
            if self.admin.statement(account.statement_id).balance_cents < needed_cents:
                raise RuntimeError(f"{account.statement_id} cannot take {needed_cents} cents")

    async def settled_pss(self) -> float:
        """The median of five samples over a second: one sample may catch a renderer
        starting or a garbage collection."""
        samples = []
        for _ in range(5):
            samples.append(await asyncio.to_thread(tree_pss_mb, self.worker))
            await asyncio.sleep(0.2)
        return statistics.median(samples)

    async def sampled(self, phase: Phase, work: Callable[[], Awaitable[int]]) -> Phase:
        stop = asyncio.Event()

        async def sample() -> None:
            while not stop.is_set():
                phase.pss_mb.append(await asyncio.to_thread(tree_pss_mb, self.worker))
                await asyncio.sleep(0.25)

        sampler = asyncio.create_task(sample())
        load, started = _load(), time.perf_counter()
        try:
            phase.payments = await work()
        finally:
            phase.seconds = time.perf_counter() - started
            stop.set()
            await sampler
        phase.load = (load, _load())
        say(f"{phase.name}: {phase.payments} in {phase.seconds:.1f}s = {phase.per_minute:.1f}/min")
        return phase

    async def one_at_a_time(self, rounds: int) -> Phase:
        self.fresh_balances(rounds * AMOUNT_CENTS + 1_000)
        for account in self.accounts:  # warm-up: the sessions sign in again after the reset
            await self.pay(account)

        async def work() -> int:
            for _ in range(rounds):
                for account in self.accounts:
                    await self.pay(account)
            return rounds * len(self.accounts)

        return await self.sampled(Phase("BillBridge, one at a time"), work)

    async def four_at_once(self, rounds: int) -> Phase:
        self.fresh_balances(rounds * AMOUNT_CENTS + 1_000)
        await asyncio.gather(*(self.pay(account) for account in self.accounts))

        async def stream(account: Account) -> None:
            for _ in range(rounds):
                await self.pay(account)

        async def work() -> int:
            await asyncio.gather(*(stream(account) for account in self.accounts))
            return rounds * len(self.accounts)

        return await self.sampled(Phase("BillBridge, four at once"), work)

    async def bare_four_at_once(self, browser: Browser, rounds: int) -> Phase:
        self.fresh_balances(rounds * AMOUNT_CENTS + 1_000)

        async def bare(account: Account) -> None:
            await bare_payment(browser, self.base_url, account.user, account.statement_id)

        await asyncio.gather(*(bare(account) for account in self.accounts))

        async def stream(account: Account) -> None:
            for _ in range(rounds):
                await bare(account)

        async def work() -> int:
            await asyncio.gather(*(stream(account) for account in self.accounts))
            return rounds * len(self.accounts)

        return await self.sampled(Phase("bare scripts, four at once"), work)

    async def growth(self, payments: int) -> Growth:
        growth, account = Growth(payments=payments), self.accounts[0]
        self.admin.reset()
        growth.resets += 1
        for _ in range(10):
            await self.pay(account)
        # The earlier phases' idle contexts close after 30 s idle: the baseline waits them out,
        # then pays once, so it holds what every checkpoint holds (the connection's one pooled
        # context, its kept page) and growth compares like with like.
        await asyncio.sleep(IDLE_SETTLE_SECONDS)
        await self.pay(account)
        growth.samples.append((0, await self.settled_pss()))
        say(f"growth: baseline {_split(self.worker)}")
        load, started = _load(), time.perf_counter()
        for done in range(1, payments + 1):
            if self.admin.statement(account.statement_id).balance_cents < 1_000:
                self.admin.reset()  # the session signs in again: part of a long day too
                growth.resets += 1
            await self.pay(account)
            if done % 25 == 0 or done == payments:
                growth.samples.append((done, await self.settled_pss()))
                say(
                    f"growth: {done}/{payments} payments, {growth.samples[-1][1]:.0f} MB "
                    f"({_split(self.worker)})"
                )
        growth.seconds = time.perf_counter() - started
        growth.load = (load, _load())
        return growth


async def measure(
    settings: Settings, stack: BenchStack, accounts: list[Account], args: Args
) -> Results:
    results = Results()
    client = await BillBridgeClient.connect(settings)
    bench = Bench(client, stack.admin, stack.portal.base_url, accounts, stack.worker_pid)
    for phase in (await bench.one_at_a_time(args.rounds), await bench.four_at_once(args.rounds)):
        results.phases[phase.name] = phase
    await asyncio.sleep(POOLED_SETTLE_SECONDS)
    results.four_pooled_mb = await bench.settled_pss()
    say(f"four contexts pooled, idle: {results.four_pooled_mb:.0f} MB ({_split(bench.worker)})")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(settings.browser), headless=True, args=CHROMIUM_ARGS
        )
        results.chromium = browser.version
        try:
            phase = await bench.bare_four_at_once(browser, args.rounds)
            results.phases[phase.name] = phase
        finally:
            await browser.close()
    say(f"worker tree: {chromium_processes(bench.worker)} Chromium processes")
    results.growth = await bench.growth(args.payments)
    return results


def run(args: Args) -> Results:
    with bench_stack("throughput", say) as stack:
        settings = Settings(
            home=stack.home, temporal_address=stack.temporal_address, task_queue=stack.task_queue
        )
        accounts = []
        for index, username in enumerate(USERS):
            user = stack.admin.user(username)
            connection_id = f"bench-cedar-{index}"
            save_connection(
                settings,
                connection_id=connection_id,
                portal=PortalName.CEDAR,
                base_url=stack.portal.base_url,
                username=user.username,
                password=user.password,
                totp_secret=user.totp_secret,
            )
            statement = max(user.statements, key=lambda s: s.balance_cents)
            accounts.append(Account(connection_id, user, statement.statement_id))
        return asyncio.run(measure(settings, stack, accounts, args))


# --- reporting -------------------------------------------------------------------------


@dataclass(frozen=True)
class Args:
    rounds: int
    payments: int
    write: bool
    command: str
    when: str


def parse_args(argv: list[str]) -> Args:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput_memory", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="payments per connection (5)")
    parser.add_argument("--payments", type=int, default=500, help="growth run length (500)")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.payments < 25:
        parser.error("--rounds must be at least 1 and --payments at least 25")
    command = ".venv/bin/python -m bench.throughput_memory"
    command += f" --rounds {args.rounds}" if args.rounds != 5 else ""
    command += f" --payments {args.payments}" if args.payments != 500 else ""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Args(args.rounds, args.payments, not args.no_write, command, when)


def throughput_table(results: Results) -> str:
    bare = results.phases["bare scripts, four at once"]
    rows = [
        "| | payments | seconds | payments/min | vs bare at four | load (1 min) start → end |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for phase in results.phases.values():
        rows.append(
            f"| {phase.name} | {phase.payments} | {phase.seconds:.1f} | {phase.per_minute:.1f} "
            f"| {phase.per_minute / bare.per_minute:.2f}× | {phase.load[0]:.1f} → "
            f"{phase.load[1]:.1f} |"
        )
    return "\n".join(rows)


def per_context_mb(results: Results) -> float:
    one = statistics.median(results.phases["BillBridge, one at a time"].pss_mb)
    four = statistics.median(results.phases["BillBridge, four at once"].pss_mb)
    return (four - one) / 3


def per_pooled_context_mb(results: Results) -> float:
    """What an extra connection's context costs between its payments: with kept pages each
    holds its renderer, which the phases' medians (all four pooled either way) do not show."""
    return (results.four_pooled_mb - results.growth.samples[0][1]) / 3


def memory_table(results: Results) -> str:
    rows = ["| worker + Chromium PSS (MB) | median | max |", "| --- | ---: | ---: |"]
    for name in ("BillBridge, one at a time", "BillBridge, four at once"):
        samples = results.phases[name].pss_mb
        rows.append(f"| {name} | {statistics.median(samples):.0f} | {max(samples):.0f} |")
    rows.append(f"| per extra concurrent context | {per_context_mb(results):.0f} | |")
    rows.append(
        f"| four contexts pooled, idle → one (the growth baseline) | "
        f"{results.four_pooled_mb:.0f} → {results.growth.samples[0][1]:.0f} | |"
    )
    rows.append(f"| per extra pooled context, idle | {per_pooled_context_mb(results):.0f} | |")
    return "\n".join(rows)


def growth_line(growth: Growth) -> str:
    points = ", ".join(
        f"{done}: {mb:.0f}" for done, mb in growth.samples[:: max(1, len(growth.samples) // 8)]
    )
    return (
        f"{growth.payments} payments in a row on one connection in {growth.seconds / 60:.1f} min "
        f"(sandbox resets: {growth.resets}; load {growth.load[0]:.1f} → {growth.load[1]:.1f}): "
        f"PSS {growth.samples[0][1]:.0f} MB → {growth.samples[-1][1]:.0f} MB, "
        f"**{growth.percent:+.1f} %** (payments done: MB — {points})"
    )


def section(results: Results, args: Args) -> str:
    bb = results.phases["BillBridge, four at once"].per_minute
    bare = results.phases["bare scripts, four at once"].per_minute
    return f"""## Throughput and memory: four connections, a pool of four contexts

- Command: `{args.command}`
- Date: {args.when}
- Machine: {machine()}, Chromium {results.chromium} (headless); the machine is shared, so
  the load average is given per phase
- Worker: default settings (`max_browser_contexts` 4, `browser_context_uses` 20,
  `max_concurrent_activities` 8); $1.00 payments on Cedar, four connections
  (`demo.patient`, `patient01`…`03`), {args.rounds} per connection per phase, after a
  warm-up payment per connection (sign-ins not measured)

{throughput_table(results)}

BillBridge at four / bare scripts at four: **{bb / bare:.2f}×** (target ≥ 0.85×).

{memory_table(results)}

Memory growth: {growth_line(results.growth)}. Targets: ≤ 80 MB per extra context (concurrent
and pooled), ≤ 5 % growth.

PSS is summed over the worker process and every Chromium process under it (browser,
renderers, GPU/utility), sampled every 0.25 s during each BillBridge phase."""


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    results = run(args)
    say()
    say(throughput_table(results))
    say()
    say(memory_table(results))
    say()
    say(growth_line(results.growth))
    if args.write:
        write_section(SECTION, section(results, args))
        say(f"\nwrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    run_main(main)
