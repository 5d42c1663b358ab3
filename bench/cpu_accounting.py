"""CPU-seconds of process trees from the OS accounting (psutil over /proc).

A tree's time is every live process's user + system time plus what its processes reaped
from children that already exited (a browser context's renderer ends with the context; its
time lands in its parent's ``children_*``), so short-lived helpers are not lost.
"""

from __future__ import annotations

import psutil


def tree_cpu_seconds(*roots: int) -> float:
    seen: set[int] = set()
    total = 0.0
    for root in roots:
        try:
            process = psutil.Process(root)
            tree = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for member in tree:
            if member.pid in seen:
                continue
            seen.add(member.pid)
            try:
                times = member.cpu_times()
            except psutil.NoSuchProcess:
                continue  # exited between the listing and the read: its parent reaped it
            total += times.user + times.system + times.children_user + times.children_system
    return total


def own_cpu_seconds(pid: int) -> float:
    """The process's own user + system time (threads included, its children not)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return times.user + times.system


def load_average() -> str:
    one, five, fifteen = psutil.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"
