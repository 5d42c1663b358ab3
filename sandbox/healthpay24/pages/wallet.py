"""The wallet (payment methods on file) and the pre-service cost estimates."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandbox.healthpay24 import records
from sandbox.healthpay24.auth import Patient
from sandbox.healthpay24.pages.guards import patient_page
from sandbox.healthpay24.state import SandboxDep
from sandbox.healthpay24.steps import Step

router = APIRouter(prefix="/portal")


@router.get("/wallet")
async def wallet(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.WALLET))],
) -> Response:
    methods = records.wallet(sandbox.db, patient.username)
    return sandbox.render(request, "wallet.html", patient=patient, methods=methods)


@router.get("/estimates")
async def estimates(
    request: Request,
    sandbox: SandboxDep,
    patient: Annotated[Patient, Depends(patient_page(Step.ESTIMATES))],
) -> Response:
    found = []
    for row in records.estimates(sandbox.db, patient.username):
        lines = records.estimate_lines(sandbox.db, row["estimate_id"])
        found.append({
            **dict(row),
            "status_label": records.ESTIMATE_STATUS_LABELS[row["status"]],
            "lines": lines,
            "expected_cents": sum(line["expected_charge_cents"] for line in lines),
            "patient_cents": sum(line["patient_cents"] for line in lines),
        })  # fmt: skip
    return sandbox.render(request, "estimates.html", patient=patient, estimates=found)
