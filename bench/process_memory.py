"""Memory of a process tree from /proc: PSS summed over a worker and its Chromium children.

PSS (proportional set size) splits shared pages among the processes sharing them, so the
sum over a tree counts Chromium's shared libraries and the zygote's pages once, not per
renderer; RSS would count them in every process.
"""

from __future__ import annotations

import os
from pathlib import Path


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def worker_pid() -> int:
    """This process's one ``python -m workers`` child (the bench stack's worker)."""
    pids = [pid for pid in descendants(os.getpid()) if " -m workers" in command_line(pid)]
    if len(pids) != 1:
        raise RuntimeError(f"expected one worker process, found {pids}")
    return pids[0]


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0  # gone meanwhile (a renderer closing)
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_pss_mb(root: int) -> float:
    """PSS of ``root`` and all its descendants, in MB (10^6 bytes)."""
    kib = sum(_pss_kib(pid) for pid in {root, *descendants(root)})
    return kib * 1024 / 1e6


def chromium_processes(root: int) -> int:
    return sum(1 for pid in descendants(root) if "chrom" in command_line(pid))
