"""What every benchmark shares: its own stack on free ports, the machine line, RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.admin_client import SandboxAdmin
from sandbox.launcher import PortalProcess
from starters.local.stack import TemporalDevServer, WorkerProcess
from workers.process_exit import exit_now

RESULTS_FILE = Path(__file__).with_name("RESULTS.md")
HEADER = """# Benchmark results

Numbers from real runs on the machine named in each section. Re-running a benchmark
rewrites only its own section (between its HTML comment markers).
"""


@dataclass(frozen=True)
class BenchStack:
    temporal_address: str
    portal: PortalProcess
    admin: SandboxAdmin
    home: Path
    task_queue: str
    server_pid: int = 0  # the Temporal dev server's, for CPU accounting
    worker_pid: int = 0


@contextmanager
def bench_stack(name: str, say: Callable[[str], None]) -> Iterator[BenchStack]:
    """Temporal dev server, Cedar sandbox and one worker process, all stopped by pid after."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        server = TemporalDevServer(work / "temporal.log", ui=False)
        stack.callback(server.stop)
        server.start()
        portal = PortalProcess("cedar", work / "cedar.sqlite3", log_path=work / "cedar.log")
        stack.callback(portal.stop)
        portal.start()
        admin = stack.enter_context(SandboxAdmin(portal.base_url))
        home, task_queue = work / "home", f"bench-{name}"
        worker = WorkerProcess(
            work / "worker.log",
            {
                "TEMPORAL_ADDRESS": server.address,
                "BILLBRIDGE_HOME": str(home),
                "BILLBRIDGE_TASK_QUEUE": task_queue,
            },
        )
        stack.callback(worker.stop)
        worker.start()
        say(f"stack up: Temporal {server.address}, Cedar {portal.base_url}, worker {worker.pid}")
        yield BenchStack(server.address, portal, admin, home, task_queue, server.pid, worker.pid)


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()} ({platform.machine()})"
    )


def write_section(name: str, text: str) -> None:
    """Replace the ``<!-- name:start -->…<!-- name:end -->`` section, or append it."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{text.strip()}\n{end}"
    current = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else HEADER
    if start in current and end in current:
        before, rest = current.split(start, 1)
        _, after = rest.split(end, 1)
        RESULTS_FILE.write_text(before + section + after)
    else:
        RESULTS_FILE.write_text(current.rstrip() + "\n\n" + section + "\n")


@dataclass(frozen=True)
class BenchArgs:
    runs: int
    write: bool
    command: str  # how to run it again, for RESULTS.md
    when: str


def parse_bench_args(module: str, description: str | None, argv: list[str]) -> BenchArgs:
    """The options every benchmark takes: ``--runs N`` (default 5) and ``--no-write``."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument("--runs", type=int, default=5, help="measured runs (default 5)")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    command = f".venv/bin/python -m {module}" + (f" --runs {args.runs}" if args.runs != 5 else "")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return BenchArgs(args.runs, not args.no_write, command, when)


def say(line: str = "") -> None:
    print(line, flush=True)


def run_main(main: Callable[[list[str]], int]) -> None:
    try:
        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        code = 130
    except Exception:
        traceback.print_exc()
        code = 1
    # The Temporal client's native threads can abort interpreter finalization (see
    # workers/process_exit.py); every child process is already stopped by now.
    exit_now(code)
