"""``GET /statements`` from the read model at a fixed rate, against a live browser pull of
the same statements, in the same run.

Run with ``.venv/bin/python -m bench.statements_read_model [--runs N] [--no-write]``. It
starts its own Temporal dev server, Cedar sandbox and worker (bench/common.py) and a
``billbridge api`` process (free ports, all stopped by pid at the end); makes a connection
over HTTP with the demo TOTP login, fills the read model with one ``?refresh=true`` sync,
then sends ``GET /statements?limit=100`` open-loop at 100 requests/s for 10 s (each
request at its scheduled time, so a slow answer cannot slow the rate down) and records
each latency. The live pull is the Cedar adapter in Chromium against the same sandbox:
sign in once, then ``--runs`` times list the statements and open each one (what a caller
without the read model would wait for; the sign-in is not counted).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.common import bench_stack, machine, parse_bench_args, run_main, say, write_section
from models.connections import Credentials, PortalName
from portals import adapter_class
from portals.base import StatementLister, UnattendedSignIn
from portals.browser import BrowserPool
from starters.local.stack import ChildProcess, free_port

SECTION = "statements_read_model"
RATE = 100  # requests per second
SECONDS = 10
USER = "demo.patient"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _start_api(home: Path, env: dict[str, str]) -> tuple[ChildProcess, str]:
    port = free_port()
    process = ChildProcess(
        [sys.executable, "-m", "starters", "api", "--port", str(port)], home / "api.log", env=env
    )
    process.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/health", timeout=2).raise_for_status()
            return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.stop()
    raise TimeoutError("billbridge api did not answer")


def _new_key(env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "starters", "api-keys", "create", "--tenant", "bench",
         "--name", "reader", "--scope", "admin"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()[0]


async def _load(url: str, key: str) -> tuple[list[float], int]:
    """Latencies (ms) of RATE*SECONDS requests sent at their scheduled times; errors."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=10
    ) as http:

        async def one() -> None:
            nonlocal errors
            began = time.perf_counter()
            response = await http.get("/statements", params={"limit": "100"})
            latencies.append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                errors += 1

        for _ in range(20):  # warm the connection pool and the server's caches
            await one()
        latencies.clear()
        start = time.perf_counter()
        tasks = []
        for n in range(RATE * SECONDS):
            delay = start + n / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
    return latencies, errors


async def _live_pulls(
    base_url: str, password: str, totp: str, runs: int
) -> tuple[list[float], int]:
    """Seconds per live pull (list + every statement opened), and statements per pull."""
    browsers = BrowserPool()
    await browsers.start()
    pulls: list[float] = []
    count = 0
    try:
        async with browsers.context() as context:
            page = await context.new_page()
            adapter = adapter_class(PortalName.CEDAR)(page, base_url)
            assert isinstance(adapter, UnattendedSignIn) and isinstance(adapter, StatementLister)
            await adapter.login(Credentials(username=USER, password=password, totp_secret=totp))
            for _ in range(runs):
                began = time.perf_counter()
                listed = await adapter.list_statements()
                for summary in listed:
                    await adapter.get_statement(summary.statement_id)
                pulls.append(time.perf_counter() - began)
                count = len(listed)
    finally:
        await browsers.close()
    return pulls, count


def main(argv: list[str]) -> int:
    args = parse_bench_args("bench.statements_read_model", __doc__, argv)
    with bench_stack("statements", say) as stack:
        env = {
            "TEMPORAL_ADDRESS": stack.temporal_address,
            "BILLBRIDGE_HOME": str(stack.home),
            "BILLBRIDGE_TASK_QUEUE": stack.task_queue,
        }
        api, url = _start_api(stack.home, env)
        try:
            key = _new_key(env)
            user = stack.admin.user(USER)
            headers = {"Authorization": f"Bearer {key}"}
            made = httpx.post(
                f"{url}/connections", headers=headers, timeout=30,
                json={"portal": "cedar", "base_url": stack.portal.base_url, "username": USER,
                      "password": user.password, "totp_secret": user.totp_secret},
            )  # fmt: skip
            made.raise_for_status()
            synced = httpx.get(
                f"{url}/statements", params={"refresh": "true", "limit": "100"},
                headers=headers, timeout=120,
            )  # fmt: skip
            synced.raise_for_status()
            held = len(synced.json()["data"])
            say(
                f"read model filled: {held} statements ({synced.headers.get('BillBridge-Refresh')})"
            )
            load_before = os.getloadavg()
            latencies, errors = asyncio.run(_load(url, key))
            load_after = os.getloadavg()
        finally:
            api.stop()
        pulls, count = asyncio.run(
            _live_pulls(stack.portal.base_url, user.password, user.totp_secret, args.runs)
        )
    p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
    live = statistics.median(pulls) * 1000
    text = f"""## `GET /statements` from the read model vs a live browser pull

{args.when}, {machine()}; load average (1, 5, 15 min) {load_before[0]:.2f}, \
{load_before[1]:.2f}, {load_before[2]:.2f} before the load and {load_after[0]:.2f}, \
{load_after[1]:.2f}, {load_after[2]:.2f} after it. `{args.command}`

| | figure |
| --- | --- |
| `GET /statements?limit=100` ({held} statements with line items), {RATE} req/s for {SECONDS} s | p50 **{p50:.1f} ms**, p99 **{p99:.1f} ms** ({len(latencies)} requests, {errors} errors) |
| live pull in Chromium (Cedar adapter, signed in: list + open {count} statements), median of {len(pulls)} | **{live:.0f} ms** |
| ratio live / read model | **{live / p50:.0f}×** at p50, **{live / p99:.0f}×** at p99 |

Target: p99 ≤ 50 ms at 100 req/s and ≥ 20× over the live pull.
"""  # noqa: E501
    say(text)
    if args.write:
        write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    run_main(main)
