"""What every benchmark shares: its own stack on free ports, the machine line, RESULTS.md."""

from __future__ import annotations

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
from starters.process_exit import exit_now
from starters.stack import TemporalDevServer, WorkerProcess

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
        yield BenchStack(server.address, portal, admin, home, task_queue)


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
    # starters/process_exit.py); every child process is already stopped by now.
    exit_now(code)
