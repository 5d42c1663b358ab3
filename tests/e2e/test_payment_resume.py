"""The one payment activity resumes where its last attempt got: past the submit, it neither
submits nor looks up again. Cedar only: the resume is the activity's, the same for every
portal, whose lookups and receipts test_post_payment.py runs on all three."""

from __future__ import annotations

import hashlib

import pytest
from temporalio.worker import Worker

from models.payments import PostPaymentRequest
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, payment_workflow_id
from stores.artifacts import ArtifactStore
from tests.e2e.helpers import payment_activity_attempts
from workflows.references import client_reference

pytestmark = pytest.mark.e2e


async def test_a_retry_after_the_submit_resumes_at_the_receipt(
    client: BillBridgeClient,
    worker: Worker,
    sandbox_admin: SandboxAdmin,
    payment_request: PostPaymentRequest,
    artifact_store: ArtifactStore,
) -> None:
    """The receipt answers 500 once after a good submit; the retry takes the payment from the
    first attempt's heartbeat mark and goes on to the balance and the receipt."""
    sandbox_admin.set_faults(fail_step="receipt", fail_times=1)

    handle = await client.start_payment(payment_request)
    result = await handle.result()

    reference = client_reference(payment_workflow_id(payment_request.idempotency_key))
    ledger = sandbox_admin.ledger(reference=reference)
    assert [p.confirmation_number for p in ledger] == [result.payment.confirmation_number]
    # Not "found by reference": the lookup would have said so; the mark says "we posted it".
    assert not result.already_posted
    receipt = artifact_store.get(result.receipt.key)
    assert hashlib.sha256(receipt).hexdigest() == result.receipt.sha256
    assert await payment_activity_attempts(handle.temporal_handle) == {"pay_statement": 2}
