"""The sync's browser activities replaced by an in-memory portal, under the real activity
names, for SyncConnectionWorkflow's tests; its read-model writes are the real activities
on a SQLite file, and raised events are kept in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from temporalio import activity

from models.accounts import Account, Guarantor
from models.connection_sync import (
    AccountsRead,
    EstimatesRead,
    KeptPdf,
    StatementPdfFetch,
    StatementsListed,
    StatementsLookup,
    StatementsRead,
    SyncReading,
)
from models.estimates import Estimate, EstimateLine, EstimateStatus
from models.events import Event
from models.maintenance import PortalMaintenance
from models.money import Money
from models.statements import LineItem, Statement, StatementStatus, StatementSummary
from models.vendor_extensions import HealthPay24StatementExtension


def summary(statement_id: str, balance_cents: int, *, pdf: bool = True) -> StatementSummary:
    return StatementSummary(
        statement_id=statement_id, issued_on=date(2026, 11, 1), due_on=date(2026, 12, 1),
        total=Money(amount_cents=12_000), balance=Money(amount_cents=balance_cents),
        status=StatementStatus.ISSUED,
        extension=HealthPay24StatementExtension(pdf_available=pdf, account_number="A-1"),
    )  # fmt: skip


class FakeSyncPortal:
    def __init__(self) -> None:
        guarantor = Guarantor(identifier="G-1", name="Ada Quill")
        self.accounts = [
            Account(identifier="A-1", guarantor=guarantor, balance=Money(amount_cents=12_000))
        ]
        self.statements = [summary("ST-1", 12_000), summary("ST-2", 0, pdf=False)]
        self.estimates = [
            Estimate(
                identifier="E-1", status=EstimateStatus.ACTIVE, service_date=date(2026, 12, 20),
                account="A-1",
                lines=[EstimateLine(code="70553", code_system="CPT", description="MRI",
                                    expected_charge=Money(amount_cents=90_000),
                                    patient_responsibility=Money(amount_cents=30_000))],
                patient_responsibility=Money(amount_cents=30_000),
                deposit_due=Money(amount_cents=10_000),
            )
        ]  # fmt: skip
        self.calls: Counter[str] = Counter()
        self.read: list[str] = []
        self.events: list[Event] = []

    def activities(self) -> Sequence[Callable[..., Any]]:
        return (
            self.read_accounts, self.list_statements, self.read_statements,
            self.keep_statement_pdf, self.read_estimates, self.raise_event,
        )  # fmt: skip

    @activity.defn(name="read_accounts")
    async def read_accounts(self, reading: SyncReading) -> AccountsRead | PortalMaintenance:
        self.calls["read_accounts"] += 1
        return AccountsRead(offered=True, accounts=self.accounts)

    @activity.defn(name="list_statements")
    async def list_statements(self, reading: SyncReading) -> StatementsListed | PortalMaintenance:
        self.calls["list_statements"] += 1
        return StatementsListed(offered=True, pdfs_offered=True, statements=self.statements)

    @activity.defn(name="read_statements")
    async def read_statements(self, lookup: StatementsLookup) -> StatementsRead | PortalMaintenance:
        return StatementsRead(statements=[self._statement(sid) for sid in lookup.statement_ids])

    def _statement(self, statement_id: str) -> Statement:
        self.read.append(statement_id)
        [listed] = [s for s in self.statements if s.statement_id == statement_id]
        item = LineItem(
            service_date=date(2026, 10, 2), code="99213", code_system="CPT",
            description="Office visit", charge=listed.total, patient_responsibility=listed.total,
        )  # fmt: skip
        return Statement(**listed.model_dump(), account_number="A-1", line_items=[item])

    @activity.defn(name="keep_statement_pdf")
    async def keep_statement_pdf(self, fetch: StatementPdfFetch) -> KeptPdf | PortalMaintenance:
        self.calls["keep_statement_pdf"] += 1
        return KeptPdf(artifact_key=f"statement-pdfs/{fetch.read_model_id}.pdf")

    @activity.defn(name="read_estimates")
    async def read_estimates(self, reading: SyncReading) -> EstimatesRead | PortalMaintenance:
        self.calls["read_estimates"] += 1
        return EstimatesRead(offered=True, estimates=self.estimates)

    @activity.defn(name="raise_event")
    async def raise_event(self, event: Event) -> bool:
        self.events.append(event)
        return True
