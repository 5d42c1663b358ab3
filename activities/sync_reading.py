"""The browser side of a connection's sync: read what the portal shows, never change it.

Each capability is optional (portals/base.py): a portal whose adapter lists no accounts,
offers no statement PDFs or no estimates answers ``offered=False`` and the sync goes on.
Statement PDFs go straight into the artifact store (sealed, like receipts), named by the
read model's statement id, so no portal identifier appears in an artifact key.
"""

from __future__ import annotations

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
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
from models.maintenance import PortalMaintenance
from portals.base import AccountReader, EstimateReader, StatementLister, StatementPdfReader
from stores.artifacts import ArtifactStore


def statement_pdf_key(connection_id: str, read_model_id: str) -> str:
    return f"statement-pdfs/{connection_id}/{read_model_id}.pdf"


class SyncReadingActivities:
    def __init__(self, sessions: PortalSessions, artifacts: ArtifactStore) -> None:
        self._sessions = sessions
        self._artifacts = artifacts

    @activity.defn
    @reports_maintenance
    async def read_accounts(self, reading: SyncReading) -> AccountsRead | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(reading.lease) as portal:
            if not isinstance(portal, AccountReader):
                return AccountsRead(offered=False)
            return AccountsRead(offered=True, accounts=await portal.list_accounts())

    @activity.defn
    @reports_maintenance
    async def list_statements(self, reading: SyncReading) -> StatementsListed | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(reading.lease) as portal:
            if not isinstance(portal, StatementLister):
                return StatementsListed(offered=False)
            return StatementsListed(
                offered=True,
                pdfs_offered=isinstance(portal, StatementPdfReader),
                statements=await portal.list_statements(),
            )

    @activity.defn
    @reports_maintenance
    async def read_statements(self, lookup: StatementsLookup) -> StatementsRead | PortalMaintenance:
        """A batch of statements with their line items, in one browser context: opening a
        context and restoring the session costs more than reading one statement."""
        async with heartbeating(), self._sessions.signed_in(lookup.lease) as portal:
            return StatementsRead(
                statements=[await portal.get_statement(sid) for sid in lookup.statement_ids]
            )

    @activity.defn
    @reports_maintenance
    async def keep_statement_pdf(self, fetch: StatementPdfFetch) -> KeptPdf | PortalMaintenance:
        """Download the statement's PDF into the artifact store; the same key on a retry."""
        async with heartbeating(), self._sessions.signed_in(fetch.lease) as portal:
            if not isinstance(portal, StatementPdfReader):
                return KeptPdf(artifact_key=None)
            document = await portal.download_statement_pdf(fetch.statement_id)
        key = statement_pdf_key(fetch.lease.connection_id, fetch.read_model_id)
        return KeptPdf(
            artifact_key=self._artifacts.put(key, document.content, "application/pdf").key
        )

    @activity.defn
    @reports_maintenance
    async def read_estimates(self, reading: SyncReading) -> EstimatesRead | PortalMaintenance:
        async with heartbeating(), self._sessions.signed_in(reading.lease) as portal:
            if not isinstance(portal, EstimateReader):
                return EstimatesRead(offered=False)
            return EstimatesRead(offered=True, estimates=await portal.list_estimates())
