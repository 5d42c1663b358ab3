"""The running processor: its database, settings and templates, shared by all routes."""

from __future__ import annotations

import re
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from sandbox.common.pages import RendersPages
from sandbox.processor import db as database
from sandbox.processor.settings import ProcessorSettings

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
# Ids are shown to and stored by BillBridge, which refuses 13+ digit runs as card numbers.
_LONG_DIGIT_RUN = re.compile(r"\d{13,}")


def new_id(prefix: str) -> str:
    while True:
        candidate = f"{prefix}_{secrets.token_hex(12)}"
        if not _LONG_DIGIT_RUN.search(candidate):
            return candidate


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Processor(RendersPages):
    settings: ProcessorSettings
    db: sqlite3.Connection
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=TEMPLATES_DIR)
    )

    def reset(self) -> None:
        database.clear(self.db)


def get_processor(request: Request) -> Processor:
    processor: Processor = request.app.state.processor
    return processor


ProcessorDep = Annotated[Processor, Depends(get_processor)]
