"""`billbridge refund` as a person or a script runs it: progress, result, one clear line."""

from __future__ import annotations

import uuid

import pytest
from temporalio.worker import Worker

from models.connections import PortalName
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient
from starters.client.billbridge_client import REFUND
from tests.e2e.helpers import run_billbridge, workflow_exists

pytestmark = pytest.mark.e2e


def _refund_args(connection_id: str, payment: str, key: str, *extra: str) -> list[str]:
    return ["refund", "--connection", connection_id, "--payment", payment,
            "--idempotency-key", key, *extra]  # fmt: skip


@pytest.mark.parametrize("portal_under_test", [PortalName.PATIENTCO], indirect=True)
async def test_cli_refund_voids_and_shows_the_result(
    settings: Settings,
    client: BillBridgeClient,
    task_queue: str,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    paid = await client.pay(payment_request)
    number = paid.payment.confirmation_number

    code, output = await run_billbridge(
        settings, task_queue,
        *_refund_args(payment_request.connection_id, number, uuid.uuid4().hex,
                      "--reason", "duplicate"),
    )  # fmt: skip

    assert code == 0, output
    [void] = [r for r in sandbox_admin.refunds() if r.transaction_id == number]
    assert (void.kind, void.amount_cents, void.reason_code) == ("void", 1000, "DUP")
    assert "voiding the payment" in output
    assert f"Void                : {number} on payment {number}" in output
    assert "Net paid now        : $0.00" in output


async def test_cli_refund_on_cedar_fails_with_one_typed_line(
    settings: Settings,
    task_queue: str,
    worker: Worker,
    payment_request: PostPaymentRequest,
) -> None:
    code, output = await run_billbridge(
        settings, task_queue,
        *_refund_args(payment_request.connection_id, "CDR-0000000001", uuid.uuid4().hex),
    )  # fmt: skip

    assert code == 1, output
    assert "error: NotOffered: cedar does not offer refunds" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--amount", "ten"], "error: InvalidInput: --amount must look like 10.00"),
        (["--amount", "0"], "error: InvalidAmount: "),
    ],
)
async def test_cli_refund_refuses_bad_input_before_any_workflow(
    settings: Settings,
    bb_client: BillBridgeClient,
    task_queue: str,
    payment_request: PostPaymentRequest,
    extra: list[str],
    expected: str,
) -> None:
    key = uuid.uuid4().hex
    code, output = await run_billbridge(
        settings, task_queue, *_refund_args(payment_request.connection_id, "PCO-1", key, *extra)
    )

    assert code == 2, output
    assert expected in output
    assert not await workflow_exists(bb_client.temporal, REFUND.workflow_id(key))
