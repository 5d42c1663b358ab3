"""RefundPaymentWorkflow through a real Temporal server, worker, Chromium and the sandbox
portals that refund (Patientco, HealthPay24); Cedar refuses it with NotOffered.

A payment is posted by PostPaymentWorkflow first; it settles when the test moves the
sandbox's clock past the nightly cutoff, exactly as the night would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import pytest
from temporalio.worker import Worker

from models.connections import PortalName
from models.errors import NotOffered, PaymentNotRefundable, RefundExceedsNet
from models.payments import PostPaymentRequest
from models.refund_locks import refund_lock_workflow_id
from models.refunds import RefundKind, RefundReason, RefundRequest, RefundResult
from sandbox.admin_client import SandboxAdmin
from sandbox.common.cutoff import Cutoff
from sandbox.healthpay24.settlement import CUTOFF as HEALTHPAY24_CUTOFF
from sandbox.patientco.settlement import CUTOFF as PATIENTCO_CUTOFF
from starters.client import BillBridgeClient
from starters.client.billbridge_client import REFUND
from starters.local.stack import WorkerProcess
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.e2e.helpers import payment_for
from tests.replay.recording import record_history
from workflows.references import client_reference

REFUNDING_PORTALS = [PortalName.PATIENTCO, PortalName.HEALTHPAY24]
CUTOFFS: dict[PortalName, Cutoff] = {
    PortalName.PATIENTCO: PATIENTCO_CUTOFF,
    PortalName.HEALTHPAY24: HEALTHPAY24_CUTOFF,
}

pytestmark = pytest.mark.e2e
each_refunding_portal = pytest.mark.parametrize(
    "portal_under_test", REFUNDING_PORTALS, indirect=True
)


def _refund(payment: PostPaymentRequest, confirmation: str, cents: int | None) -> RefundRequest:
    return RefundRequest(
        connection_id=payment.connection_id,
        confirmation_number=confirmation,
        amount_cents=cents,
        reason=RefundReason.OVERPAYMENT,
        idempotency_key=uuid.uuid4().hex,
    )


def _reference(request: RefundRequest) -> str:
    return client_reference(REFUND.workflow_id(request.idempotency_key))


async def _paid(client: BillBridgeClient, payment: PostPaymentRequest) -> str:
    return (await client.pay(payment)).payment.confirmation_number


def _settle(portal: PortalUnderTest) -> None:
    """Move the sandbox clock just past the next nightly cutoff: today's batch closes."""
    now = portal.admin.clock().now
    portal.admin.advance_clock((CUTOFFS[portal.name].next_after(now) - now).total_seconds() + 60)


async def _record(portal: PortalUnderTest, handle: object, name: str) -> None:
    """The replay suite keeps Patientco's histories: the workflow code is the same for all."""
    if portal.name is PortalName.PATIENTCO:
        await record_history(handle, name)  # type: ignore[arg-type]


def _reversals(admin: SandboxAdmin, confirmation: str) -> list[tuple[str, int]]:
    return [(r.kind, r.amount_cents) for r in admin.refunds() if r.transaction_id == confirmation]


@each_refunding_portal
async def test_void_before_settlement_and_refund_after(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    unsettled = await _paid(client, payment_request)
    void = _refund(payment_request, unsettled, None)
    handle = await client.start_refund(void)
    voided = await handle.result()
    await _record(portal_under_test, handle.temporal_handle, "RefundPaymentWorkflow--void")

    assert voided.refund.kind is RefundKind.VOID
    assert voided.refund.amount.amount_cents == 1000
    assert voided.net_paid_after.amount_cents == 0
    ledger = sandbox_admin.refunds(reference=_reference(void))
    assert [(r.kind, r.amount_cents, r.transaction_id) for r in ledger] == [
        ("void", 1000, unsettled)
    ]

    settled = await _paid(
        client, payment_request.model_copy(update={"idempotency_key": uuid.uuid4().hex})
    )
    _settle(portal_under_test)
    refund = _refund(payment_request, settled, None)
    handle = await client.start_refund(refund)
    refunded = await handle.result()
    await _record(portal_under_test, handle.temporal_handle, "RefundPaymentWorkflow--refund")

    assert refunded.refund.kind is RefundKind.REFUND
    assert refunded.refund.amount.amount_cents == 1000
    assert not refunded.already_refunded
    assert [(r.kind, r.amount_cents) for r in sandbox_admin.refunds(_reference(refund))] == [
        ("refund", 1000)
    ]


@each_refunding_portal
async def test_partial_refunds_sum_to_the_payment(
    client: BillBridgeClient,
    worker: Worker,
    portal_under_test: PortalUnderTest,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)

    first = await (await client.start_refund(_refund(payment_request, confirmation, 400))).result()
    second = await (await client.start_refund(_refund(payment_request, confirmation, 600))).result()

    assert first.net_paid_after.amount_cents == 600
    assert second.net_paid_after.amount_cents == 0
    assert _reversals(sandbox_admin, confirmation) == [("refund", 400), ("refund", 600)]
    with pytest.raises(PaymentNotRefundable):
        await (await client.start_refund(_refund(payment_request, confirmation, 1))).result()


@each_refunding_portal
async def test_two_partial_refunds_at_once_add_up(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)

    handles = [
        await client.start_refund(_refund(payment_request, confirmation, cents))
        for cents in (600, 400)
    ]
    results: list[RefundResult] = await asyncio.gather(*(h.result() for h in handles))

    assert sorted(r.refund.amount.amount_cents for r in results) == [400, 600]
    # One ran first (the other waited for the payment's lock): it left 1000 less its amount.
    earlier = max(results, key=lambda r: r.net_paid_after.amount_cents)
    later = min(results, key=lambda r: r.net_paid_after.amount_cents)
    assert earlier.refund.amount.amount_cents + earlier.net_paid_after.amount_cents == 1000
    assert later.net_paid_after.amount_cents == 0
    assert sorted(_reversals(sandbox_admin, confirmation)) == [("refund", 400), ("refund", 600)]
    lock = client.temporal.get_workflow_handle(
        refund_lock_workflow_id(payment_request.connection_id, confirmation)
    )
    await asyncio.wait_for(lock.result(), timeout=30)  # nobody holds or waits: it ended
    await _record(portal_under_test, lock, "PaymentRefundLockWorkflow--two-at-once")
    waited = handles[results.index(later)]  # its lock came by signal
    await _record(
        portal_under_test, waited.temporal_handle, "RefundPaymentWorkflow--waited-for-lock"
    )


@each_refunding_portal
async def test_a_pair_above_the_net_refuses_one_typed(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)

    handles = [
        await client.start_refund(_refund(payment_request, confirmation, 600)) for _ in range(2)
    ]
    outcomes = await asyncio.gather(*(h.result() for h in handles), return_exceptions=True)

    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], RefundExceedsNet), outcomes
    assert "4.00" in str(refused[0])  # what was left when the second one read the payment
    assert _reversals(sandbox_admin, confirmation) == [("refund", 600)]


@each_refunding_portal
async def test_refund_above_the_net_paid_is_refused_at_start(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)

    handle = await client.start_refund(_refund(payment_request, confirmation, 1001))
    with pytest.raises(RefundExceedsNet, match="exceeds what is left"):
        await handle.result()
    await _record(
        portal_under_test, handle.temporal_handle, "RefundPaymentWorkflow--RefundExceedsNet"
    )
    assert _reversals(sandbox_admin, confirmation) == []


@each_refunding_portal
async def test_crash_after_submit_on_a_refund_is_reconciled(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)
    sandbox_admin.set_faults(crash_after_submit=1)

    request = _refund(payment_request, confirmation, 250)
    handle = await client.start_refund(request)
    result = await handle.result()
    await _record(
        portal_under_test, handle.temporal_handle, "RefundPaymentWorkflow--crash-after-submit"
    )

    assert result.already_refunded  # the retry found our memo instead of refunding again
    assert [(r.kind, r.amount_cents) for r in sandbox_admin.refunds(_reference(request))] == [
        ("refund", 250)
    ]


# The reconciliation after a kill is the workflow's and the adapter's lookup, which
# test_crash_after_submit_on_a_refund_is_reconciled runs on both portals: one portal shows
# the kill (about 30 s each, most of it the killed attempt's heartbeat timeout).
@pytest.mark.parametrize("portal_under_test", [PortalName.HEALTHPAY24], indirect=True)
async def test_worker_killed_while_the_refund_answer_is_held(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker_process_factory: Callable[[], WorkerProcess],
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
) -> None:
    """The worker dies after the portal recorded the refund and before the browser saw the
    answer: the sandbox holds that response, so the kill lands in exactly that moment."""
    first = worker_process_factory()
    confirmation = await _paid(client, payment_request)
    _settle(portal_under_test)
    sandbox_admin.set_faults(hold_after_submit=1)
    request = _refund(payment_request, confirmation, 300)
    handle = await client.start_refund(request)
    reference = _reference(request)
    for _ in range(1200):
        if sandbox_admin.held_responses() == 1 and sandbox_admin.refunds(reference):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("the portal never recorded the refund while holding its response")
    first.kill()
    assert sandbox_admin.release_held() == 1  # the browser that waited for it is gone

    worker_process_factory()
    result = await asyncio.wait_for(handle.result(), timeout=180)

    assert result.already_refunded
    assert [(r.kind, r.amount_cents) for r in sandbox_admin.refunds(reference)] == [("refund", 300)]
    assert _reversals(sandbox_admin, confirmation) == [("refund", 300)]


async def test_cedar_refuses_refunds_naming_the_portal(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
) -> None:
    assert portal_under_test.name is PortalName.CEDAR
    username = portal_under_test.sandbox.demo_username
    payment = payment_for(portal_under_test.admin, connections.add(username), username)
    handle = await client.start_refund(_refund(payment, "CDR-0000000000", None))
    with pytest.raises(NotOffered, match="cedar does not offer refunds") as refused:
        await handle.result()
    assert "patientco" in str(refused.value)
    await record_history(handle.temporal_handle, "RefundPaymentWorkflow--NotOffered")
