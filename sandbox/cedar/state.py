"""The running sandbox: its database, fault state and templates, shared by all routes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from sandbox.cedar import db as database
from sandbox.cedar.faults import Step
from sandbox.cedar.formatting import long_date, money, timestamp
from sandbox.cedar.plan_drafts import PLAN_PREFIX, CedarDrafts
from sandbox.cedar.settings import MAINTENANCE_WINDOW, SandboxSettings
from sandbox.common.autopay import Autopay
from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.faults import Faults
from sandbox.common.layout import Layout
from sandbox.common.maintenance import MaintenanceSchedule
from sandbox.common.pages import RendersPages
from sandbox.processor.client import ProcessorClient

TEMPLATES_DIR = Path(__file__).parent / "templates"


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters.update(money=money, long_date=long_date, timestamp=timestamp)
    return templates


@dataclass
class CedarSandbox(RendersPages):
    settings: SandboxSettings
    db: sqlite3.Connection
    connections: ConnectionRegistry
    processor: ProcessorClient | None = None
    faults: Faults = field(default_factory=lambda: Faults(Step))
    layout: Layout = field(default_factory=Layout)
    templates: Jinja2Templates = field(default_factory=build_templates)
    maintenance: MaintenanceSchedule = field(init=False)
    # Sessions that went past the "updated terms" interstitial (structural fault), in memory
    # like the fault itself.
    terms_accepted: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.maintenance = MaintenanceSchedule(
            MAINTENANCE_WINDOW, enabled_at_start=self.settings.maintenance_window
        )

    def reset(self) -> None:
        database.reseed(self.db, self.settings.seed, self.settings.patients)
        self.faults.clear()
        self.layout.clear()
        self.terms_accepted.clear()
        self.maintenance.reset()

    @cached_property
    def autopay(self) -> Autopay:
        """Payment plans and their drafts on this portal's clock (``sandbox.common.autopay``)."""
        return Autopay(self.db, "cedar", CedarDrafts(self.db, self.processor), PLAN_PREFIX)


def get_sandbox(request: Request) -> CedarSandbox:
    sandbox: CedarSandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[CedarSandbox, Depends(get_sandbox)]
