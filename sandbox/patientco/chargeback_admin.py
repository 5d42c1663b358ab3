"""Admin API for reconciliation tests: chargebacks (real records) and export faults."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from sandbox.common.export_faults import ExportFaults, ExportFaultUpdate
from sandbox.patientco import chargebacks
from sandbox.patientco.state import SandboxDep

router = APIRouter(prefix="/__sandbox__")


class ChargebackRequest(BaseModel):
    amount_cents: int | None = Field(default=None, gt=0)  # None: the whole payment
    reason: str = Field(default="Fraud - card not present", max_length=100)


@router.post("/payments/{transaction_id}/chargeback")
async def charge_back(
    sandbox: SandboxDep, transaction_id: str, request: ChargebackRequest
) -> dict[str, str]:
    """As if the card network took the payment back: recorded against it, in the open batch."""
    try:
        found = chargebacks.record(sandbox.db, transaction_id, request.amount_cents, request.reason)
    except KeyError:
        raise HTTPException(status_code=404, detail="payment not found") from None
    except ValueError as error:
        raise HTTPException(status_code=422, detail=str(error)) from None
    return {"chargeback_id": found, "transaction_id": transaction_id}


@router.get("/settlements/export-faults")
async def export_faults(sandbox: SandboxDep) -> ExportFaults:
    return sandbox.export_faults.faults


@router.post("/settlements/export-faults")
async def add_export_faults(sandbox: SandboxDep, change: ExportFaultUpdate) -> ExportFaults:
    """Drop a transaction from the batch exports or alter its amount (a chargeback here is
    refused: on Patientco it is a real record, ``POST /payments/{id}/chargeback``)."""
    if change.chargeback:
        raise HTTPException(status_code=422, detail="record chargebacks against the payment")
    return sandbox.export_faults.add(change)


@router.delete("/settlements/export-faults")
async def clear_export_faults(sandbox: SandboxDep) -> ExportFaults:
    sandbox.export_faults.clear()
    return sandbox.export_faults.faults
