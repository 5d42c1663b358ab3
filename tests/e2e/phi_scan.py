"""Reading everything BillBridge kept, as an outsider would: Temporal histories through the
``temporal`` CLI (no codec: what is stored), log files, command outputs, the BillBridge home.

Each reader yields ``Place``s: where a text was found and the text; base64 is decoded on the
way, since base64 is an encoding, not protection (``workflow show --output json`` prints
payloads as base64 JSON).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from starters.local.stack import temporal_cli

# The sandboxes' own logs are the portal's side of the conversation, not BillBridge's.
SANDBOX_LOGS = frozenset({"processor.log", "cedar.log", "patientco.log", "healthpay24.log"})
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{8,}={0,2}$")
_CLI_SECONDS = 60


@dataclass(frozen=True)
class Place:
    where: str  # "history PostPaymentWorkflow pay-… event 5 ACTIVITY_TASK_SCHEDULED .input…"
    text: str
    group: str  # ``where`` without ids: the line of the summary this place counts towards


def _group(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _file_group(name: str) -> str:
    """A file's name without the ids and counters that differ from test to test."""
    return re.sub(r"[0-9a-f]{8,}|\d+", "…", name)


def _cli(address: str, *args: str) -> Any:
    completed = subprocess.run(
        [temporal_cli(), *args, "--address", address, "--output", "json"],
        capture_output=True, text=True, timeout=_CLI_SECONDS, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"temporal {' '.join(args)} failed: {completed.stderr.strip()}")
    return json.loads(completed.stdout or "null")


@dataclass(frozen=True)
class Run:
    workflow_id: str
    run_id: str
    workflow_type: str
    running: bool


def workflow_runs(address: str) -> list[Run]:
    """Every run on the server (continued-as-new runs each have their own)."""
    listed = _cli(address, "workflow", "list") or []
    return [
        Run(item["execution"]["workflowId"], item["execution"]["runId"], item["type"]["name"],
            item.get("status") == "WORKFLOW_EXECUTION_STATUS_RUNNING")
        for item in listed
    ]  # fmt: skip


def run_places(address: str, run: Run) -> list[Place]:
    """Every string of one run's history (per event) and, while it runs, its description."""
    workflow_type = run.workflow_type
    ids = ("--workflow-id", run.workflow_id, "--run-id", run.run_id)
    label = f"{workflow_type} {run.workflow_id}"
    places = []
    history = _cli(address, "workflow", "show", *ids)
    for event in history.get("events", []):
        kind = event.get("eventType", "?").removeprefix("EVENT_TYPE_")
        where = f"history {label} event {event.get('eventId')} {kind}"
        group = f"history {workflow_type} {kind}"
        places += [
            Place(f"{where} {path}", text, f"{group} {_group(path)}")
            for path, text in strings(event)
        ]
    if not run.running:
        return places
    # Describe adds what a history doesn't hold yet: pending activities' last failures,
    # and shows user metadata (summary, details) as the UI does. A closed run has none.
    described = _cli(address, "workflow", "describe", *ids)
    places += [
        Place(f"describe {label} {path}", text, f"describe {workflow_type} {_group(path)}")
        for path, text in strings(described)
    ]
    return places


def histories(address: str, threads: int = 16) -> dict[Run, list[Place]]:
    """Every run the server holds, with every string of its history and description."""
    runs = workflow_runs(address)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(zip(runs, pool.map(lambda run: run_places(address, run), runs), strict=True))


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string (keys too) in a JSON value, base64 strings also decoded."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", str(key)
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value
        decoded = _decoded(value)
        if decoded is not None:
            yield f"{path} (base64)", decoded
    elif value is not None:
        yield path, str(value)


def _decoded(text: str) -> str | None:
    if len(text) % 4 or not _BASE64.match(text):
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def file_texts(path: Path, label: str) -> Iterator[Place]:
    """A file as readable text: a zip's members (Playwright traces), a PDF's text (receipts
    are deflated, so their bytes hide names that any PDF reader shows), else the bytes."""
    data = path.read_bytes()
    where, group = f"{label} {path}", f"{label} {_file_group(path.name)}"
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                text = archive.read(member).decode("utf-8", errors="replace")
                yield Place(f"{where}!{member}", text, f"{group}!{member}")
        return
    if data.startswith(b"%PDF"):
        yield Place(f"{where} (PDF text)", pdf_text(data, where), f"{group} (PDF text)")
    yield Place(where, data.decode("utf-8", errors="replace"), group)


class UnreadablePdf(Exception):
    """A PDF the scan cannot read as a PDF reader shows it: it cannot say the PDF is clean."""


def pdf_text(data: bytes, where: str) -> str:
    """The text any PDF reader shows. A PDF that does not parse, is encrypted or shows no
    text fails the scan: read as empty, it would pass whatever it holds."""
    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        text = "" if encrypted else "\n".join(page.extract_text() for page in reader.pages)
    except Exception as error:  # pypdf raises many kinds on damaged files
        raise UnreadablePdf(f"{where}: not a readable PDF ({type(error).__name__})") from error
    if encrypted:
        raise UnreadablePdf(f"{where}: an encrypted PDF, its text cannot be searched")
    if not text.strip():
        raise UnreadablePdf(f"{where}: a PDF without extractable text (an image of a page?)")
    return text


def files_under(roots: Iterable[Path], label: str) -> Iterator[Place]:
    for root in roots:
        if root.is_file():
            yield from file_texts(root, label)
        elif root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                yield from file_texts(path, label)


def log_files(base: Path) -> list[Path]:
    """Every log file written under the session's tmp dirs, but the sandboxes' own."""
    return sorted(p for p in base.rglob("*.log") if p.name not in SANDBOX_LOGS and p.is_file())
