"""Memory of a process tree: PSS summed over a worker and its Chromium children.

PSS (proportional set size) splits shared pages among the processes sharing them, so the
sum over a tree counts Chromium's shared libraries and the zygote's pages once, not per
renderer; RSS would count them in every process.
"""

from __future__ import annotations

import psutil


def _tree(root: int) -> list[psutil.Process]:
    try:
        process = psutil.Process(root)
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _pss_bytes(process: psutil.Process) -> int:
    try:
        return int(process.memory_full_info().pss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0  # gone meanwhile (a renderer closing)


def tree_pss_mb(root: int) -> float:
    """PSS of ``root`` and all its descendants, in MB (10^6 bytes)."""
    return sum(_pss_bytes(process) for process in _tree(root)) / 1e6


def chromium_processes(root: int) -> int:
    count = 0
    for process in _tree(root)[1:]:
        try:
            count += "chrom" in " ".join(process.cmdline())
        except psutil.NoSuchProcess:
            continue
    return count
