"""The running console: database, faults, templates, the processor, the OIDC client."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
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
from sandbox.patientco import db as database
from sandbox.patientco.faults import Step
from sandbox.patientco.formatting import money, timestamp, us_date
from sandbox.patientco.ledger import ACCOUNT_STATUS_LABELS
from sandbox.patientco.plan_drafts import PLAN_PREFIX, PatientcoDrafts
from sandbox.patientco.settings import MAINTENANCE_WINDOW, SandboxSettings
from sandbox.patientco.sso_client import OidcClient
from sandbox.processor.client import ProcessorClient

TEMPLATES_DIR = Path(__file__).parent / "templates"


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters.update(
        money=money, us_date=us_date, timestamp=timestamp,
        account_status=lambda value: ACCOUNT_STATUS_LABELS.get(value, value),
    )  # fmt: skip
    return templates


@dataclass
class PatientcoSandbox(RendersPages):
    settings: SandboxSettings
    db: sqlite3.Connection
    connections: ConnectionRegistry
    processor: ProcessorClient
    oidc: OidcClient
    faults: Faults = field(default_factory=lambda: Faults(Step))
    layout: Layout = field(default_factory=Layout)
    templates: Jinja2Templates = field(default_factory=build_templates)
    maintenance: MaintenanceSchedule = field(init=False)
    # Whether the identity provider's server is accepting connections (health waits for it).
    idp_started: Callable[[], bool] = lambda: False
    export_faults: ExportFaultState = field(default_factory=ExportFaultState)

    def __post_init__(self) -> None:
        self.maintenance = MaintenanceSchedule(
            MAINTENANCE_WINDOW, enabled_at_start=self.settings.maintenance_window
        )

    def reset(self) -> None:
        database.reseed(self.db, self.settings.seed, self.settings.guarantors)
        self.faults.clear()
        self.layout.clear()
        self.maintenance.reset()
        self.export_faults.clear()

    @cached_property
    def autopay(self) -> Autopay:
        """Payment plans and their drafts on this portal's clock (``sandbox.common.autopay``)."""
        return Autopay(self.db, "patientco", PatientcoDrafts(self.db, self.processor), PLAN_PREFIX)


def get_sandbox(request: Request) -> PatientcoSandbox:
    sandbox: PatientcoSandbox = request.app.state.sandbox
    return sandbox


SandboxDep = Annotated[PatientcoSandbox, Depends(get_sandbox)]
