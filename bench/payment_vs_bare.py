"""One $1.00 payment: BillBridge end to end vs a bare Playwright script on the same sandbox,
like for like, warm and cold, in wall time and in CPU-seconds.

Run with ``.venv/bin/python -m bench.payment_vs_bare [--runs N]``. It starts its own Temporal
dev server, Cedar sandbox and worker (all on free ports, stopped by pid at the end), warms
both sides up once, then runs N rounds of four payments, interleaved:

- bare warm: a new context from a signed-in storage state (no sign-in), statement, pay,
  confirmation, receipt;
- BillBridge warm: ``pay()`` on a connection whose session is signed in;
- bare cold: the same script signing in with TOTP first;
- BillBridge cold: ``pay()`` on a new connection, whose session workflow signs in (TOTP)
  before the payment.

Each payment's CPU-seconds are read from the OS around it: the worker, its Chromium and the
Temporal server for BillBridge; this script's own process and its Chromium for the bare
script (the sandbox, serving both, is left out of both). It prints medians, the ratios and
the load average; with ``--write`` (the default) it rewrites its section of bench/RESULTS.md.

The bare side uses plain Playwright calls only (no BillBridge adapter or page objects): one
Chromium for the whole run, a new context per payment, the same CHROMIUM_ARGS and binary
the worker uses.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, Page, async_playwright
from temporalio.api.enums.v1 import EventType

from bench.common import (
    RESULTS_FILE,
    BenchStack,
    bench_stack,
    machine,
    parse_bench_args,
    run_main,
    say,
    write_section,
)
from bench.cpu_accounting import load_average, own_cpu_seconds, tree_cpu_seconds
from models.connections import PortalName
from models.payments import PostPaymentRequest
from models.settings import Settings
from portals.browser import CHROMIUM_ARGS, find_chromium
from portals.one_time_codes import current_code
from sandbox.admin_client import SandboxAdmin, SandboxUser
from starters.client import BillBridgeClient
from stores.connections import save_connection

USER = "demo.patient"
CONNECTION = "bench-cedar"
AMOUNT_CENTS = 100
# Reset the sandbox before a payment when the statement's balance falls below this.
LOW_BALANCE_CENTS = 1_000
# After a cold payment the worker makes a spare context for the next sign-in once it has
# been quiet for 0.5 s (portals/browser.py); the cold side's CPU window waits this long so
# that work is charged to the payment that took the spare, not run beside the next one.
SPARE_SETTLE_SECONDS = 1.5
SECTION = "payment_like_for_like"
T = TypeVar("T")


# --- the bare script -------------------------------------------------------------------


@dataclass
class BareTiming:
    total: float
    login: float
    pay: float
    receipt: float
    cpu: float = 0.0


async def _bare_sign_in(page: Page, base_url: str, user: SandboxUser) -> None:
    await page.goto(f"{base_url}/login")
    await page.get_by_label("Username").fill(user.username)
    await page.get_by_label("Password").fill(user.password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/mfa")
    await page.get_by_label("Verification code").fill(current_code(user.totp_secret))
    await page.get_by_role("button", name="Verify").click()
    await page.wait_for_url("**/statements**")


async def _bare_pay(page: Page, base_url: str, user: SandboxUser, statement_id: str) -> float:
    """Statement → pay → confirmation → receipt; the time the receipt started."""
    await page.goto(f"{base_url}/statements/{statement_id}")
    if "/login" in page.url:
        raise RuntimeError("the bare script's session is signed out")
    await page.get_by_role("link", name="Pay this statement").click()
    await page.get_by_role("radio", name="Pay another amount").check()
    await page.get_by_role("textbox", name="Amount", exact=True).fill(
        f"{AMOUNT_CENTS // 100}.{AMOUNT_CENTS % 100:02d}"
    )
    await page.get_by_role("radio", name=f"ending in {user.cards[0].last4}").check()
    await page.get_by_label("Reference (optional)").fill(f"bare-{uuid.uuid4().hex[:12]}")
    await page.get_by_role("button", name="Submit payment").click()
    await page.get_by_role("heading", name="Payment confirmed").wait_for()
    paid = time.perf_counter()
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Download receipt (PDF)").click()
    download = await downloading.value
    receipt = await asyncio.to_thread(Path(await download.path()).read_bytes)
    if not receipt.startswith(b"%PDF"):
        raise RuntimeError("the receipt is not a PDF")
    return paid


async def bare_payment(
    browser: Browser,
    base_url: str,
    user: SandboxUser,
    statement_id: str,
    state: dict[str, Any] | None = None,
) -> BareTiming:
    """Pay $1.00 with the saved card and download the receipt: signed in from ``state`` (warm)
    or signing in with TOTP first (cold)."""
    started = time.perf_counter()
    context = await browser.new_context(accept_downloads=True, storage_state=state)  # type: ignore[arg-type]
    try:
        page = await context.new_page()
        if state is None:
            await _bare_sign_in(page, base_url, user)
        signed_in = time.perf_counter()
        paid = await _bare_pay(page, base_url, user, statement_id)
    finally:
        await context.close()
    done = time.perf_counter()
    return BareTiming(done - started, signed_in - started, paid - signed_in, done - paid)


async def bare_signed_in_state(browser: Browser, base_url: str, user: SandboxUser) -> Any:
    """What a bare script keeps between runs to skip the sign-in: the storage state."""
    context = await browser.new_context()
    try:
        await _bare_sign_in(await context.new_page(), base_url, user)
        return await context.storage_state()
    finally:
        await context.close()


# --- BillBridge ------------------------------------------------------------------------


@dataclass
class BillBridgeTiming:
    total: float
    workflow: float  # workflow started → completed, from Temporal's history
    activities: list[tuple[str, float]] = field(default_factory=list)  # name, started → done
    queued: float = 0.0  # summed scheduled → started of the activities
    logins: int = 0
    cpu: float = 0.0


async def billbridge_payment(
    client: BillBridgeClient,
    admin: SandboxAdmin,
    user: SandboxUser,
    statement_id: str,
    connection_id: str = CONNECTION,
) -> BillBridgeTiming:
    request = PostPaymentRequest(
        connection_id=connection_id,
        statement_id=statement_id,
        amount_cents=AMOUNT_CENTS,
        payment_method_token=user.cards[0].token,
        idempotency_key=f"bench-{uuid.uuid4().hex}",
    )
    logins_before = _successful_logins(admin)
    started = time.perf_counter()
    result = await client.pay(request)
    total = time.perf_counter() - started
    if result.payment.amount.amount_cents != AMOUNT_CENTS or result.already_posted:
        raise RuntimeError(f"unexpected payment result: {result}")
    timing = await _history_breakdown(client, f"payment-{request.idempotency_key}", total)
    timing.logins = _successful_logins(admin) - logins_before
    return timing


def _successful_logins(admin: SandboxAdmin) -> int:
    return admin.logins().by_user.get(USER, {}).get("successful", 0)


async def _history_breakdown(
    client: BillBridgeClient, workflow_id: str, total: float
) -> BillBridgeTiming:
    """Where the time went inside Temporal: activity run times and queueing, from history."""
    handle = client.temporal.get_workflow_handle(workflow_id)
    times: dict[int, float] = {}
    names: dict[int, str] = {}
    timing = BillBridgeTiming(total=total, workflow=0.0)
    wf_start = wf_end = 0.0
    started_at: dict[int, float] = {}
    async for event in handle.fetch_history_events():
        at = event.event_time.ToDatetime().timestamp()
        times[event.event_id] = at
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            wf_start = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
            wf_end = at
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled_attributes = event.activity_task_scheduled_event_attributes
            names[event.event_id] = scheduled_attributes.activity_type.name
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            scheduled = event.activity_task_started_event_attributes.scheduled_event_id
            started_at[scheduled] = at
            timing.queued += at - times[scheduled]
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            timing.activities.append((names[scheduled], at - started_at[scheduled]))
    timing.workflow = wf_end - wf_start
    return timing


# --- the stack -------------------------------------------------------------------------


@dataclass
class Results:
    runs: int
    bare_warm: list[BareTiming] = field(default_factory=list)
    billbridge_warm: list[BillBridgeTiming] = field(default_factory=list)
    bare_cold: list[BareTiming] = field(default_factory=list)
    billbridge_cold: list[BillBridgeTiming] = field(default_factory=list)
    resets: int = 0
    chromium: str = ""
    statement_id: str = ""
    load: list[str] = field(default_factory=list)  # load average before, after
    # Warm payments' CPU-seconds by process: "BillBridge worker (Python)" -> per payment.
    cpu_parts: dict[str, list[float]] = field(default_factory=dict)


async def _then_settled(work: Awaitable[T]) -> T:
    result = await work
    await asyncio.sleep(SPARE_SETTLE_SECONDS)
    return result


async def _timed_cpu(pids: tuple[int, ...], work: Callable[[], Awaitable[T]]) -> tuple[T, float]:
    before = tree_cpu_seconds(*pids)
    result = await work()
    return result, tree_cpu_seconds(*pids) - before


def _cpu_parts(worker: int, server: int, bench: int) -> dict[str, float]:
    """Each side's processes apart: which one the CPU goes to."""
    return {
        "BillBridge worker (Python)": own_cpu_seconds(worker),
        "BillBridge worker's Chromium (+ Playwright driver)": (
            tree_cpu_seconds(worker) - own_cpu_seconds(worker)
        ),
        "BillBridge: Temporal dev server": tree_cpu_seconds(server),
        "bare script (Python)": own_cpu_seconds(bench),
        "bare script's Chromium (+ Playwright driver)": (
            tree_cpu_seconds(bench) - own_cpu_seconds(bench)
        ),
    }


def _add_parts(
    results: Results, side: str, before: dict[str, float], after: dict[str, float]
) -> None:
    """The processes of one side ("bare" or "BillBridge") over that side's payment only."""
    for name, seconds in after.items():
        if name.startswith(side):
            results.cpu_parts.setdefault(name, []).append(seconds - before[name])


async def measure(runs: int, stack: BenchStack, settings: Settings) -> Results:
    results = Results(runs=runs, load=[load_average()])
    admin, base_url = stack.admin, stack.portal.base_url
    user = admin.user(USER)
    statement = max(user.statements, key=lambda s: s.balance_cents)
    statement_id = results.statement_id = statement.statement_id
    billbridge_pids = (stack.worker_pid, stack.server_pid)
    bare_pids = (os.getpid(),)  # this script's python, its Playwright driver and Chromium
    colds = 0

    def new_connection() -> str:
        nonlocal colds
        colds += 1
        connection_id = f"{CONNECTION}-cold-{colds}"
        save_connection(
            settings,
            connection_id=connection_id,
            portal=PortalName.CEDAR,
            base_url=base_url,
            username=user.username,
            password=user.password,
            totp_secret=user.totp_secret,
        )
        return connection_id

    client = await BillBridgeClient.connect(settings)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(settings.browser), headless=True, args=CHROMIUM_ARGS
        )
        results.chromium = browser.version
        state: Any = None

        async def rewarm() -> None:
            """Both sides signed in (again: a sandbox reset signs everybody out)."""
            nonlocal state
            state = await bare_signed_in_state(browser, base_url, user)
            await billbridge_payment(client, admin, user, statement_id)

        async def ensure_balance() -> None:
            if admin.statement(statement_id).balance_cents < LOW_BALANCE_CENTS:
                admin.reset()
                results.resets += 1
                await rewarm()

        try:
            await ensure_balance()
            await bare_payment(browser, base_url, user, statement_id)
            await billbridge_payment(client, admin, user, statement_id, new_connection())
            await rewarm()
            for run in range(1, runs + 1):
                await ensure_balance()
                pids = (stack.worker_pid, stack.server_pid, os.getpid())
                parts = _cpu_parts(*pids)
                bare_warm, cpu = await _timed_cpu(
                    bare_pids, lambda: bare_payment(browser, base_url, user, statement_id, state)
                )
                bare_warm.cpu = cpu
                _add_parts(results, "bare", parts, _cpu_parts(*pids))
                await ensure_balance()
                parts = _cpu_parts(*pids)
                bb_warm, cpu = await _timed_cpu(
                    billbridge_pids,
                    lambda: billbridge_payment(client, admin, user, statement_id),
                )
                bb_warm.cpu = cpu
                _add_parts(results, "BillBridge", parts, _cpu_parts(*pids))
                await ensure_balance()
                bare_cold, cpu = await _timed_cpu(
                    bare_pids, lambda: bare_payment(browser, base_url, user, statement_id)
                )
                bare_cold.cpu = cpu
                await ensure_balance()
                cold_connection = new_connection()
                bb_cold, cpu = await _timed_cpu(
                    billbridge_pids,
                    lambda c=cold_connection: _then_settled(  # type: ignore[misc]
                        billbridge_payment(client, admin, user, statement_id, c)
                    ),
                )
                bb_cold.cpu = cpu
                results.bare_warm.append(bare_warm)
                results.billbridge_warm.append(bb_warm)
                results.bare_cold.append(bare_cold)
                results.billbridge_cold.append(bb_cold)
                say(
                    f"run {run}/{runs}: warm bare {bare_warm.total:.2f}s / BillBridge "
                    f"{bb_warm.total:.2f}s ({bb_warm.logins} logins); cold bare "
                    f"{bare_cold.total:.2f}s / BillBridge {bb_cold.total:.2f}s "
                    f"({bb_cold.logins} logins); CPU warm {bare_warm.cpu:.2f} / "
                    f"{bb_warm.cpu:.2f} s"
                )
        finally:
            await browser.close()
    results.load.append(load_average())
    return results


def run(runs: int) -> Results:
    with bench_stack("payment", say) as stack:
        settings = Settings(
            home=stack.home, temporal_address=stack.temporal_address, task_queue=stack.task_queue
        )
        user = stack.admin.user(USER)
        save_connection(
            settings,
            connection_id=CONNECTION,
            portal=PortalName.CEDAR,
            base_url=stack.portal.base_url,
            username=user.username,
            password=user.password,
            totp_secret=user.totp_secret,
        )
        return asyncio.run(measure(runs, stack, settings))


# --- reporting -------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _totals(timings: list[BareTiming] | list[BillBridgeTiming]) -> list[float]:
    return [t.total for t in timings]


def table(results: Results) -> str:
    warm_bare, warm_bb = _totals(results.bare_warm), _totals(results.billbridge_warm)
    cold_bare, cold_bb = _totals(results.bare_cold), _totals(results.billbridge_cold)
    cpu_bare = [t.cpu for t in results.bare_warm]
    cpu_bb = [t.cpu for t in results.billbridge_warm]
    cpu_cold_bare = [t.cpu for t in results.bare_cold]
    cpu_cold_bb = [t.cpu for t in results.billbridge_cold]

    def ratio(ours: list[float], theirs: list[float]) -> str:
        return f"{_median(ours) / _median(theirs):.2f}×"

    rows = [
        "| payment | bare median (s) | BillBridge median (s) | BillBridge / bare | target |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| (a) warm: signed-in state / warm session | {_median(warm_bare):.2f} | "
        f"{_median(warm_bb):.2f} | {ratio(warm_bb, warm_bare)} | ≤ 1.15× |",
        f"| (b) cold: sign-in with TOTP first | {_median(cold_bare):.2f} | "
        f"{_median(cold_bb):.2f} | {ratio(cold_bb, cold_bare)} | ≤ 1.15× |",
        f"| (b) warm / cold | {ratio(warm_bare, cold_bare)} | {ratio(warm_bb, cold_bb)} | "
        "| ≤ 0.5 (BillBridge) |",
        f"| (c) CPU-seconds per warm payment | {_median(cpu_bare):.2f} | "
        f"{_median(cpu_bb):.2f} | {ratio(cpu_bb, cpu_bare)} | ≤ 1.3× |",
        f"| (c) CPU-seconds per cold payment | {_median(cpu_cold_bare):.2f} | "
        f"{_median(cpu_cold_bb):.2f} | {ratio(cpu_cold_bb, cpu_cold_bare)} | |",
        f"| minimum, warm | {min(warm_bare):.2f} | {min(warm_bb):.2f} | | |",
        f"| minimum, cold | {min(cold_bare):.2f} | {min(cold_bb):.2f} | | |",
    ]
    return "\n".join(rows)


def breakdown(results: Results) -> str:
    rows = ["| step (median) | seconds |", "| --- | ---: |"]
    for label, bare in (("warm", results.bare_warm), ("cold", results.bare_cold)):
        rows += [
            f"| bare {label}: context (+ sign-in and TOTP) | "
            f"{_median([t.login for t in bare]):.2f} |",
            f"| bare {label}: statement → pay → confirmation | "
            f"{_median([t.pay for t in bare]):.2f} |",
            f"| bare {label}: receipt download | {_median([t.receipt for t in bare]):.2f} |",
        ]
    for label, bb in (("warm", results.billbridge_warm), ("cold", results.billbridge_cold)):
        by_activity: dict[str, list[float]] = {}
        for timing in bb:
            for name, seconds in timing.activities:
                by_activity.setdefault(name, []).append(seconds)
        rows += [
            f"| BillBridge {label}: activity `{name}` | {_median(values):.2f} |"
            for name, values in by_activity.items()
        ]
        activities_total = [sum(s for _, s in t.activities) for t in bb]
        rest = [t.workflow - a - t.queued for a, t in zip(activities_total, bb, strict=True)]
        rows += [
            f"| BillBridge {label}: session wait (cold: the sign-in), workflow tasks, queueing | "
            f"{_median([r + t.queued for r, t in zip(rest, bb, strict=True)]):.2f} |",
            f"| BillBridge {label}: client ↔ server (start + result long-poll) | "
            f"{_median([t.total - t.workflow for t in bb]):.2f} |",
            f"| BillBridge {label}: portal sign-ins per payment | "
            f"{', '.join(map(str, sorted({t.logins for t in bb})))} |",
        ]
    rows += [
        f"| CPU per warm payment: {name} | {_median(values):.2f} |"
        for name, values in results.cpu_parts.items()
    ]
    return "\n".join(rows)


def section(results: Results, command: str, when: str) -> str:
    return f"""## Posting one payment, like for like: BillBridge vs a bare Playwright script

- Command: `{command}`
- Date: {when}
- Machine: {machine()}, Chromium {results.chromium} (headless)
- Load average (1, 5, 15 min) before the runs: {results.load[0]}; after: {results.load[-1]}
  (the machine is shared with other work: compare the interleaved medians, not runs)
- Runs: {results.runs} rounds of four interleaved payments (bare warm, BillBridge warm, bare
  cold, BillBridge cold) after one warm-up of each; $1.00 on statement
  {results.statement_id} of `demo.patient` (sandbox resets: {results.resets})

{table(results)}

Warm: the bare script opens a context from a storage state it saved after signing in once;
BillBridge pays on a connection whose session workflow is signed in. Cold: the bare script
signs in with TOTP first; BillBridge pays on a new connection, whose session workflow signs
in (TOTP answered by BillBridge) before the payment. CPU-seconds are the OS's user + system
time of the worker, its Chromium and the Temporal dev server for BillBridge, and of the
bench's own process and its Chromium for the bare script, read before and after each
payment (the sandbox serves both and is in neither).

Where the time goes (medians; BillBridge's split is read from the workflow's history):

{breakdown(results)}

What BillBridge does that the script does not, inside the one `pay_statement` activity: it
searches the payment history for its reference before submitting (a retry never pays
twice), checks the amount against the balance due the pay form shows before it fills
anything, checks every page it lands on (PortalChanged in seconds, with a screenshot and a
trace kept), reads the balance after from the confirmation and stores the receipt with its
SHA-256; around it, Temporal records every step, so a killed worker or a lost confirmation
resumes instead of paying twice. Cold, the session workflow signs in on a spare context the
worker made while it was quiet; the bench waits 1.5 s after each cold payment so the
spare's making is charged to it."""


def main(argv: list[str]) -> int:
    args = parse_bench_args("bench.payment_vs_bare", __doc__, argv)
    results = run(args.runs)
    say()
    say(f"machine: {machine()}, Chromium {results.chromium}, load {' → '.join(results.load)}")
    say(table(results))
    say()
    say(breakdown(results))
    if args.write:
        write_section(SECTION, section(results, args.command, args.when))
        say(f"\nwrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    run_main(main)
