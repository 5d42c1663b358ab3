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


def tree_pss_by_kind_mb(root: int) -> dict[str, float]:
    """The same sum split by what each process is: the worker, the Playwright driver,
    Chromium's browser process, its renderers, and its other helpers (GPU, utility, zygote).
    Where memory grows, this says which part does."""
    kinds: dict[str, float] = {}
    for index, process in enumerate(_tree(root)):
        try:
            kind = "worker" if index == 0 else _kind(process.cmdline())
        except psutil.NoSuchProcess:
            continue
        kinds[kind] = kinds.get(kind, 0.0) + _pss_bytes(process) / 1e6
    return kinds


def _kind(cmdline: list[str]) -> str:
    line = " ".join(cmdline)
    if "chrom" not in line:
        return "driver" if "node" in line or "playwright" in line else "other"
    if "--type=renderer" in line:
        return "renderers"
    return "browser" if "--type=" not in line else "chromium helpers"


def chromium_processes(root: int) -> int:
    count = 0
    for process in _tree(root)[1:]:
        try:
            count += "chrom" in " ".join(process.cmdline())
        except psutil.NoSuchProcess:
            continue
    return count
