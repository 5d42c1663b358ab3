"""`billbridge plan` as a person or a script runs it, on the dev server and the Cedar
sandbox: enroll with progress, show, a refusal in one typed line, cancel."""

from __future__ import annotations

import uuid

import pytest
from temporalio.worker import Worker

from models.connections import PortalName
from models.settings import Settings
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import run_billbridge

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("portal_under_test", [PortalName.CEDAR], indirect=True),
]


async def test_cli_plan_enrolls_shows_refuses_a_pause_and_cancels(
    settings: Settings,
    task_queue: str,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    connections: Connections,
) -> None:
    admin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    statement = max(
        (admin.statement(summary.statement_id) for summary in admin.user(username).statements),
        key=lambda found: found.balance_cents,
    )
    card = next(c for c in statement.payment_methods if c.outcome == "approved")
    # Three installments at most: well inside Cedar's 18 months, above its $15 minimum.
    installment = -(-statement.balance_cents // 3)
    assert installment >= 1500, f"the largest statement, {statement}, is too small a plan"
    connection_id = connections.add(username)
    key = f"cli-plan-{uuid.uuid4().hex[:12]}"

    async def plan(*args: str) -> tuple[int, str]:
        return await run_billbridge(settings, task_queue, "plan", *args)

    code, output = await plan(
        "enroll", "--connection", connection_id, "--statement", statement.statement_id,
        "--installment", f"{installment // 100}.{installment % 100:02d}",
        "--method", card.token, "--idempotency-key", key,
    )  # fmt: skip
    assert code == 0, output
    assert f"Plan workflow plan-{key}" in output
    assert "(active) on statement" in output and "Next draft      : 20" in output

    code, shown = await plan("show", key)
    assert code == 0, shown
    assert "(active)" in shown

    code, refused = await plan("pause", key)
    assert code == 1, refused
    assert "error: NotOffered: cedar does not offer pausing payment plans" in refused
    assert "Traceback" not in refused

    code, cancelled = await plan("cancel", key)
    assert code == 0, cancelled
    assert "(cancelled)" in cancelled
    [truth] = admin.plans(reference=cancelled.split("Client reference: ")[1].split()[0])
    assert truth.status == "cancelled"
