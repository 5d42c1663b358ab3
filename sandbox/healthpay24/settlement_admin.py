"""Admin API of the settlement batches: ground truth, the SFTP login and export faults."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from sandbox.common.cutoff import sandbox_now
from sandbox.common.export_faults import ExportFaults, ExportFaultUpdate
from sandbox.healthpay24 import settlement
from sandbox.healthpay24.sftp import SftpLogin
from sandbox.healthpay24.state import SandboxDep

router = APIRouter(prefix="/__sandbox__")


@router.get("/sftp")
async def sftp_login(sandbox: SandboxDep) -> SftpLogin:
    """Where the settlement files are and how to sign in (sandbox test data, not a secret)."""
    if sandbox.sftp is None:
        raise HTTPException(status_code=503, detail="the SFTP server is not listening yet")
    return sandbox.sftp.login()


@router.get("/settlements")
async def settlement_batches(sandbox: SandboxDep) -> dict[str, Any]:
    """Ground truth of every batch with a payment in it, newest first (the ledger's view,
    export faults not applied)."""
    now = sandbox_now(sandbox.db)
    found = {settlement.batch_for(str(row["created_at"]))
             for row in sandbox.db.execute("SELECT created_at FROM payments")}  # fmt: skip
    return {"batches": [
        {"batch_id": b.batch_id, "business_day": b.business_day.isoformat(),
         "closes_at": b.closes_at.isoformat(), "deposit_date": b.deposit_date.isoformat(),
         "status": "settled" if b.closes_at <= now else "open",
         "transactions": [
             {"transaction_id": row["confirmation_number"], "type": "payment",
              "amount_cents": row["amount_cents"], "reference": row["reference"]}
             for row in settlement.payments_in(sandbox.db, b)]}
        for b in sorted(found, key=lambda b: b.business_day, reverse=True)
    ]}  # fmt: skip


@router.get("/settlements/export-faults")
async def export_faults(sandbox: SandboxDep) -> ExportFaults:
    return sandbox.export_faults.faults


@router.post("/settlements/export-faults")
async def add_export_faults(sandbox: SandboxDep, change: ExportFaultUpdate) -> ExportFaults:
    """Drop a payment from the files, alter its amount, or add a chargeback against it."""
    return sandbox.export_faults.add(change)


@router.delete("/settlements/export-faults")
async def clear_export_faults(sandbox: SandboxDep) -> ExportFaults:
    sandbox.export_faults.clear()
    return sandbox.export_faults.faults
