"""`billbridge pay` as a person or a script runs it: progress, result, clear errors."""

from __future__ import annotations

import pytest
from temporalio.worker import Worker

from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from tests.e2e.helpers import run_billbridge

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
    task_queue: str,
    worker: Worker,
    cedar_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    args = _pay_args(payment_request, "10.00", payment_request.payment_method_token)
    code, output = await run_billbridge(settings, task_queue, *args)

    assert code == 0, output
    [payment] = cedar_admin.ledger()
    assert payment.amount_cents == 1000
    assert f"Confirmation number : {payment.confirmation_number}" in output
    assert "posting the payment" in output and "New balance" in output


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
    task_queue: str,
    cedar_admin: SandboxAdmin,
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
    assert cedar_admin.ledger() == []
