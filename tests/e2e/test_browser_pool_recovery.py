"""Chromium killed under a worker process's payments: each is posted exactly once, and the
worker's browser pool relaunches, reuses contexts and closes those that failed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest

from models.payments import PostPaymentRequest
from portals.browser import BrowserPoolStats
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, payment_workflow_id
from starters.local.stack import WorkerProcess
from tests.chromium_processes import browser_processes, kill_and_wait
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import payment_for
from workflows.references import client_reference

pytestmark = pytest.mark.e2e

PAYMENTS = 6


def _reference(request: PostPaymentRequest) -> str:
    return client_reference(payment_workflow_id(request.idempotency_key))


def _pool_at_exit(log: str) -> BrowserPoolStats:
    line = re.search(r"browser pool at exit: (.*)", log)
    assert line, "the worker logs its pool's stats when it stops"
    fields = dict(pair.split("=") for pair in line.group(1).split())
    return BrowserPoolStats.model_validate(fields)


async def test_chromium_killed_mid_payment_posts_each_payment_once(
    client: BillBridgeClient,
    worker_process_factory: Callable[[], WorkerProcess],
    portal_under_test: PortalUnderTest,
    sandbox_admin: SandboxAdmin,
    connections: Connections,
) -> None:
    username = portal_under_test.sandbox.demo_username
    connection_id = connections.add(username)
    requests = [
        payment_for(sandbox_admin, connection_id, username, cents=100 + index)
        for index in range(PAYMENTS)
    ]
    worker = worker_process_factory()
    (chromium,) = browser_processes(worker.pid)
    # The first submission is recorded and its answer held: the kill lands while a browser
    # waits for it, other payments in flight around it.
    sandbox_admin.set_faults(hold_after_submit=1)
    handles = [await client.start_payment(request) for request in requests]
    for _ in range(600):
        if sandbox_admin.held_responses() == 1:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("no payment submission was held")
    kill_and_wait(chromium)
    sandbox_admin.release_held()

    results = await asyncio.wait_for(
        asyncio.gather(*(handle.result() for handle in handles)), timeout=120
    )

    for request, result in zip(requests, results, strict=True):
        ledger = sandbox_admin.ledger(reference=_reference(request))
        assert len(ledger) == 1, request.idempotency_key
        assert ledger[0].amount_cents == request.amount_cents
        assert result.payment.confirmation_number == ledger[0].confirmation_number
    assert len(sandbox_admin.ledger()) == PAYMENTS
    # The payment whose answer died with the browser was found by reference on the retry.
    assert any(result.already_posted for result in results)
    assert browser_processes(worker.pid) - {chromium}, "a new Chromium serves the worker"

    worker.stop()
    stats = _pool_at_exit(worker.log_text())
    print(f"worker pool at exit: {stats}")
    assert (stats.launches, stats.disconnects) == (2, 1)
    assert stats.peak_in_use <= stats.limit == 4
    assert stats.contexts_reused > 0  # restored once, used by several steps
    # Every context opened was closed: the dead browser's at its users' errors, the rest at exit.
    assert stats.contexts_closed == stats.contexts_created
    assert (stats.in_use, stats.idle) == (0, 0)
