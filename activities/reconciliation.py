"""Reconciliation activities: fetch the settlement export, read what BillBridge posted,
write the report. Each is idempotent: files and reports are stored under keys of the run,
so a retry overwrites what an earlier attempt stored."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from temporalio import activity

from activities.heartbeat import heartbeating
from activities.maintenance import reports_maintenance
from activities.portal_sessions import PortalSessions
from models.audit import AuditAction
from models.errors import NotOffered, PortalChanged, SettlementSftpMissing
from models.maintenance import PortalMaintenance
from models.payments import StoredArtifact
from models.reconciliation import (
    DeliveryLookup,
    ExportDownload,
    FetchedSettlements,
    PostedLedger,
    PostedMoney,
    PostedMoneyLookup,
    ReportArtifacts,
    ReportInput,
    SettlementDelivery,
    SftpFetch,
)
from models.settlements import SettlementFile, SftpLogin
from portals import adapter_class
from portals.base import SettlementFileReader, SettlementReader
from security.audit_log import AuditLog
from stores.artifacts import ArtifactStore
from stores.connections import ConnectionRegistry
from stores.secrets import SecretStore

CSV_COLUMNS = ("status", "number", "batch_id", "expected_cents", "settled_cents",
               "payment_number")  # fmt: skip


class ReconciliationActivities:
    def __init__(
        self,
        sessions: PortalSessions,
        connections: ConnectionRegistry,
        secrets: SecretStore,
        artifacts: ArtifactStore,
        audit_log: AuditLog,
    ) -> None:
        self._sessions = sessions
        self._connections = connections
        self._secrets = secrets
        self._artifacts = artifacts
        self._audit_log = audit_log

    @activity.defn
    async def settlement_delivery(self, lookup: DeliveryLookup) -> SettlementDelivery:
        """How the connection's portal hands out settlements (check_offered ran first)."""
        adapter = adapter_class(self._connections.get(lookup.connection_id).portal)
        if issubclass(adapter, SettlementFileReader):
            return SettlementDelivery.SFTP
        if issubclass(adapter, SettlementReader):
            return SettlementDelivery.BROWSER
        raise NotOffered(f"no settlement export on connection {lookup.connection_id}")

    @activity.defn
    @reports_maintenance
    async def download_settlement_exports(
        self, request: ExportDownload
    ) -> FetchedSettlements | PortalMaintenance:
        """Every batch's CSV export, through the browser (Patientco)."""
        async with heartbeating(), self._sessions.signed_in(request.lease) as portal:
            if not isinstance(portal, SettlementReader):
                raise PortalChanged("the adapter lost its settlement export")
            files = await portal.download_settlement_exports()
            batches = [portal.parse_settlement_file(f.name, f.content) for f in files]
        return FetchedSettlements(batches=batches, files=self._keep(request.storage_prefix, files))

    @activity.defn
    async def fetch_settlement_files(self, request: SftpFetch) -> FetchedSettlements:
        """Every settlement file on the portal's SFTP server (HealthPay24)."""
        connection = self._connections.get(request.connection_id)
        adapter = adapter_class(connection.portal)
        if not issubclass(adapter, SettlementFileReader):
            raise NotOffered(f"{connection.portal} delivers no settlement files over SFTP")
        if connection.settlement_sftp_ref is None:
            raise SettlementSftpMissing(
                f"connection {connection.id} has no settlement_sftp_ref for its SFTP login"
            )
        login = SftpLogin.model_validate_json(self._secrets.get(connection.settlement_sftp_ref))
        async with heartbeating():
            files = await adapter.download_settlement_files(login)
        batches = [adapter.parse_settlement_file(f.name, f.content) for f in files]
        return FetchedSettlements(batches=batches, files=self._keep(request.storage_prefix, files))

    @activity.defn
    async def read_posted_money(self, lookup: PostedMoneyLookup) -> PostedLedger:
        """The payments and refunds BillBridge moved on the connection, from the audit log."""
        return posted_money(self._audit_log.lines(), lookup.connection_id)

    @activity.defn
    async def write_reconciliation_report(self, request: ReportInput) -> ReportArtifacts:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for line in request.report.lines:
            row = line.model_dump(mode="json")
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        summary = request.report.summary.model_dump_json(indent=2).encode()
        prefix = request.storage_prefix
        return ReportArtifacts(
            csv=self._artifacts.put(f"{prefix}/report.csv", out.getvalue().encode(), "text/csv"),
            summary_json=self._artifacts.put(f"{prefix}/summary.json", summary, "application/json"),
        )

    def _keep(self, prefix: str, files: list[SettlementFile]) -> list[StoredArtifact]:
        return [self._artifacts.put(f"{prefix}/{f.name}", f.content, "text/csv") for f in files]


def posted_money(lines: list[bytes], connection_id: str) -> PostedLedger:
    """What the audit log says BillBridge moved on the connection and what settles of it.

    A payment settles under its confirmation number, a refund under its own refund id (its
    entry also names the payment it gives back, which must not be taken for it); a voided
    payment never settles, so its posting is dropped. Failures moved nothing.
    """
    money: dict[str, PostedMoney] = {}
    voided: set[str] = set()
    chargebacks: list[str] = []
    for line in lines:
        try:
            entry: dict[str, Any] = json.loads(line)
            details: dict[str, Any] = entry["details"]
            action = str(entry["action"])
        except (ValueError, KeyError, TypeError):
            continue  # `billbridge audit verify` reports such lines; nothing to match
        if details.get("connection_id") != connection_id or action.endswith(".failed"):
            continue
        if action == AuditAction.PAYMENT_CHARGED_BACK:
            chargebacks.append(str(details.get("chargeback_number")))
            continue
        if action == AuditAction.PAYMENT_VOIDED:
            voided.add(str(details.get("confirmation_number")))
            continue
        key = "refund_id" if action == AuditAction.REFUND_POSTED else "confirmation_number"
        number, amount = details.get(key), details.get("amount_cents")
        if not isinstance(number, str) or not isinstance(amount, int) or isinstance(amount, bool):
            continue
        reference = details.get("reference")
        money.setdefault(number, PostedMoney(
            action=action, number=number, amount_cents=abs(amount),
            posted_at=datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00")),
            reference=reference if isinstance(reference, str) else None,
        ))  # fmt: skip
    settling = [posting for number, posting in money.items() if number not in voided]
    return PostedLedger(money=settling, known_chargebacks=chargebacks)
