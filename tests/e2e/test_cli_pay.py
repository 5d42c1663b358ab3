"""`billbridge pay` as a person or a script runs it: progress, result, clear errors."""

from __future__ import annotations

import pytest
from temporalio.worker import Worker

from models.payments import PaymentStep, PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, payment_workflow_id
from tests.e2e.helpers import run_billbridge, workflow_exists

pytestmark = pytest.mark.e2e


def _pay_args(request: PostPaymentRequest, amount: str, method: str) -> list[str]:
    return [
        "pay",
        "--connection", request.connection_id,
        "--statement", request.statement_id,
        "--amount", amount,
        "--method", method,
        "--idempotency-key", request.idempotency_key,
    ]  # fmt: skip


async def test_cli_pay_shows_progress_and_result(
    settings: Settings,
    bb_client: BillBridgeClient,
    task_queue: str,
    worker: Worker,
    cedar_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    args = _pay_args(payment_request, "10.00", payment_request.payment_method_token)
    code, output = await run_billbridge(settings, task_queue, *args)

    assert code == 0, output
    # The control for the refusals below: the same check sees a payment the CLI started.
    assert await workflow_exists(
        bb_client.temporal, payment_workflow_id(payment_request.idempotency_key)
    )
    [payment] = cedar_admin.ledger()
    assert payment.amount_cents == 1000
    assert f"Confirmation number : {payment.confirmation_number}" in output
    assert PaymentStep.PAYING.label in output and "New balance" in output


@pytest.mark.parametrize(
    ("amount", "method", "expected"),
    [
        ("10.00", "4242 4242 4242 4242", "error: CardNumberRefused: "),
        ("0", "tok_x", "error: InvalidAmount: "),
        ("ten", "tok_x", "error: InvalidInput: --amount must look like 25.00"),
    ],
)
async def test_cli_pay_refuses_bad_input_clearly(
    settings: Settings,
    bb_client: BillBridgeClient,
    task_queue: str,
    payment_request: PostPaymentRequest,
    amount: str,
    method: str,
    expected: str,
) -> None:
    code, output = await run_billbridge(
        settings, task_queue, *_pay_args(payment_request, amount, method)
    )

    assert code == 2
    assert expected in output
    assert "4242 4242" not in output and "Traceback" not in output
    # Refused before the start: no workflow exists (no worker runs here, so an empty ledger
    # would prove nothing whatever the CLI did).
    assert not await workflow_exists(
        bb_client.temporal, payment_workflow_id(payment_request.idempotency_key)
    )
