"""The running sandbox: database, fault state, templates and the processor client, shared by
all routes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from sandbox.common.autopay import Autopay
from sandbox.common.connection_drop import ConnectionRegistry
from sandbox.common.export_faults import ExportFaultState
from sandbox.common.faults import Faults
from sandbox.common.layout import Layout
from sandbox.common.maintenance import MaintenanceSchedule
from sandbox.common.pages import RendersPages
from sandbox.healthpay24 import db as database
from sandbox.healthpay24.formatting import birth_date, day, money, plain_amount, timestamp
from sandbox.healthpay24.plan_drafts import HealthPay24Drafts
from sandbox.healthpay24.records import method_label
from sandbox.healthpay24.settings import MAINTENANCE_WINDOW, SandboxSettings
from sandbox.healthpay24.sftp import SettlementSftp
from sandbox.healthpay24.steps import Step
from sandbox.processor.client import ProcessorClient

TEMPLATES_DIR = Path(__file__).parent / "templates"
MERCHANT = "healthpay24"
PLAN_PREFIX = "HPP"  # HealthPay24's plan numbers: HPP-7Q2M9XK4


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters.update(
        money=money, day=day, birth_date=birth_date, timestamp=timestamp,
        plain_amount=plain_amount,
    )  # fmt: skip
    templates.env.globals.update(method_label=method_label)
    return templates


@dataclass
class HealthPay24Sandbox(RendersPages):
    settings: SandboxSettings
    db: sqlite3.Connection
    connections: ConnectionRegistry
    processor: ProcessorClient
    faults: Faults = field(default_factory=lambda: Faults(Step))
    layout: Layout = field(default_factory=Layout)
    templates: Jinja2Templates = field(default_factory=build_templates)
    export_faults: ExportFaultState = field(default_factory=ExportFaultState)
    sftp: SettlementSftp | None = None  # set by the lifespan once it listens
    maintenance: MaintenanceSchedule = field(init=False)

    def __post_init__(self) -> None:
        self.maintenance = MaintenanceSchedule(
            MAINTENANCE_WINDOW, enabled_at_start=self.settings.maintenance_window
        )

    def reset(self) -> None:
        database.reseed(self.db, self.settings.seed, self.settings.patients)
        self.faults.clear()
        self.layout.clear()
        self.maintenance.reset()
        self.export_faults.clear()

    @cached_property
    def autopay(self) -> Autopay:
        """Payment plans and their drafts on this portal's clock (``sandbox.common.autopay``)."""
        return Autopay(self.db, MERCHANT, HealthPay24Drafts(self.db, self.processor), PLAN_PREFIX)


def get_sandbox(request: Request) -> HealthPay24Sandbox:
    sandbox: HealthPay24Sandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[HealthPay24Sandbox, Depends(get_sandbox)]
