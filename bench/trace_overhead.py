"""What the failure trace costs a payment that does not fail.

Run with ``.venv/bin/python -m bench.trace_overhead [--runs N]``. PortalSessions starts a
Playwright trace (DOM snapshots, no screenshots) on every activity's context and, unless
the portal changed, stops it without writing anything. This runs the bare payment of
bench/payment_vs_bare.py (sign-in, pay, receipt: the same pages a BillBridge payment
drives) with and without that tracing, interleaved, on one Chromium and the Cedar sandbox,
and times a tracing start + discard on a fresh context, the part paid once per activity.
With ``--write`` (the default) it rewrites its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Browser, BrowserContext, async_playwright

from bench.common import (
    RESULTS_FILE,
    bench_stack,
    machine,
    parse_bench_args,
    run_main,
    say,
    write_section,
)
from bench.payment_vs_bare import LOW_BALANCE_CENTS, USER, bare_payment
from models.settings import Settings
from portals.browser import CHROMIUM_ARGS, find_chromium

SECTION = "trace_overhead"
# A BillBridge payment opens one context per activity: sign-in, statement, post, receipt.
CONTEXTS_PER_PAYMENT = 4


class TracedBrowser:
    """The browser as PortalSessions uses it: every context traced, the trace discarded."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    async def new_context(self, **options: Any) -> TracedContext:
        context = await self._browser.new_context(**options)
        await context.tracing.start(snapshots=True, screenshots=False)
        return TracedContext(context)


class TracedContext:
    def __init__(self, context: BrowserContext) -> None:
        self._context = context

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    async def close(self) -> None:
        await self._context.tracing.stop()
        await self._context.close()


@dataclass
class Results:
    runs: int
    plain: list[float] = field(default_factory=list)
    traced: list[float] = field(default_factory=list)
    start_and_discard: list[float] = field(default_factory=list)
    chromium: str = ""


async def measure(runs: int, base_url: str, settings: Settings, admin: Any) -> Results:
    results = Results(runs=runs)
    user = admin.user(USER)
    statement = max(user.statements, key=lambda s: s.balance_cents)

    def ensure_balance() -> None:
        if admin.statement(statement.statement_id).balance_cents < LOW_BALANCE_CENTS:
            admin.reset()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(settings.browser), headless=True, args=CHROMIUM_ARGS
        )
        results.chromium = browser.version
        traced: Any = TracedBrowser(browser)
        try:
            ensure_balance()
            await bare_payment(browser, base_url, user, statement.statement_id)
            await bare_payment(traced, base_url, user, statement.statement_id)
            for run in range(1, runs + 1):
                ensure_balance()
                plain = await bare_payment(browser, base_url, user, statement.statement_id)
                ensure_balance()
                with_trace = await bare_payment(traced, base_url, user, statement.statement_id)
                results.plain.append(plain.total)
                results.traced.append(with_trace.total)
                context = await browser.new_context()
                started = time.perf_counter()
                await context.tracing.start(snapshots=True, screenshots=False)
                await context.tracing.stop()
                results.start_and_discard.append(time.perf_counter() - started)
                await context.close()
                say(f"run {run}/{runs}: plain {plain.total:.2f}s, traced {with_trace.total:.2f}s")
        finally:
            await browser.close()
    return results


def run(runs: int) -> Results:
    with bench_stack("trace", say) as stack:
        settings = Settings(home=stack.home)
        return asyncio.run(measure(runs, stack.portal.base_url, settings, stack.admin))


def section(results: Results, command: str, when: str) -> str:
    plain, traced = statistics.median(results.plain), statistics.median(results.traced)
    per_context = statistics.median(results.start_and_discard)
    return "\n".join(
        [
            f"## Failure-trace overhead ({when})",
            "",
            f"`{command}` · {machine()} · Chromium {results.chromium} · {results.runs} runs",
            "",
            "| | median (s) | min (s) |",
            "| --- | ---: | ---: |",
            f"| bare payment, no trace | {plain:.2f} | {min(results.plain):.2f} |",
            f"| bare payment, traced (snapshots, discarded) | {traced:.2f} | "
            f"{min(results.traced):.2f} |",
            f"| difference | {traced - plain:+.2f} ({(traced - plain) / plain:+.1%}) | |",
            f"| tracing start + discard on a fresh context | {per_context * 1000:.0f} ms | |",
            f"| × {CONTEXTS_PER_PAYMENT} contexts of a BillBridge payment | "
            f"{per_context * CONTEXTS_PER_PAYMENT * 1000:.0f} ms | |",
        ]
    )


def main(argv: list[str]) -> int:
    args = parse_bench_args("bench.trace_overhead", __doc__, argv)
    results = run(args.runs)
    text = section(results, args.command, args.when)
    say(text)
    if args.write:
        write_section(SECTION, text)
        say(f"written to {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    run_main(main)
