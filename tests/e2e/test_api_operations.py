"""Money-moving POSTs over real HTTP as a caller drives them: `billbridge api` as its own
process, a real worker, Temporal dev server, Chromium and the Cedar sandbox, a TOTP
connection (no person). Idempotency keys, Prefer: wait, receipts through their expiring
links, scopes and tenants, a declined card's failed operation."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.worker import Worker

from models.api_money import PaymentCreate
from models.operations import OperationKind
from models.payments import PostPaymentRequest
from models.settings import Settings
from starters.api.operations import fingerprint, workflow_key
from starters.client import BillBridgeClient
from starters.client.billbridge_client import PLAN
from stores.artifacts import ArtifactStore
from stores.read_model.database import open_engine
from stores.read_model.idempotency_keys import IdempotencyKeys
from tests.api_server import ApiProcess, start_api
from tests.e2e.conftest import PortalUnderTest
from tests.e2e.helpers import payment_for
from tests.replay.recording import record_history
from workflows.references import client_reference

pytestmark = pytest.mark.e2e

CONCURRENT_POSTS = 10
WAIT = {"Prefer": "wait=60"}


@pytest.fixture(scope="module")
def task_queue() -> str:
    """One queue for the module: its API process is started once and sends work there."""
    return f"e2e-api-ops-{uuid.uuid4().hex[:8]}"


@dataclass
class Api:
    process: ApiProcess
    keys: dict[str, str]  # role -> key

    def http(self, role: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.process.url,
            headers={"Authorization": f"Bearer {self.keys[role]}"},
            timeout=90,
        )


@pytest.fixture(scope="module")
def api(settings: Settings, task_queue: str) -> Iterator[Api]:
    process = start_api(
        settings.home,
        {
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "BILLBRIDGE_TASK_QUEUE": task_queue,
            "BILLBRIDGE_API_IDEMPOTENCY_WAIT_SECONDS": "1",
        },
    )
    try:
        keys = {
            "admin": process.new_key("acme", "ops", "admin"),
            "payer": process.new_key("acme", "billing", "payments", "read"),
            "reader": process.new_key("acme", "dashboard", "read"),
            "other": process.new_key("globex", "ops", "admin"),
        }
        yield Api(process, keys)
    finally:
        process.process.stop()


@pytest_asyncio.fixture
async def connection(api: Api, portal_under_test: PortalUnderTest) -> AsyncIterator[str]:
    user = portal_under_test.admin.user(portal_under_test.sandbox.demo_username)
    async with api.http("admin") as http:
        made = await http.post(
            "/connections",
            json={
                "portal": portal_under_test.name.value,
                "base_url": portal_under_test.process.base_url,
                "username": user.username,
                "password": user.password,
                "totp_secret": user.totp_secret,
            },
        )
    assert made.status_code == 201, made.text
    yield made.json()["id"]


def body_of(request: PostPaymentRequest, **changes: Any) -> dict[str, Any]:
    body = PaymentCreate(
        connection_id=request.connection_id,
        statement_id=request.statement_id,
        amount_cents=request.amount_cents,
        payment_method_token=request.payment_method_token,
    )
    return body.model_copy(update=changes).model_dump(mode="json")


async def test_one_key_is_one_payment_read_back_with_its_receipt(
    api: Api,
    connection: str,
    portal_under_test: PortalUnderTest,
    worker: Worker,
    bb_client: BillBridgeClient,
    artifact_store: ArtifactStore,
) -> None:
    admin = portal_under_test.admin
    username = portal_under_test.sandbox.demo_username
    body = body_of(payment_for(admin, connection, username, cents=700))
    key = str(uuid.uuid4())
    async with api.http("payer") as http:
        missing = await http.post("/payments", json=body)
        assert (missing.status_code, missing.json()["code"]) == (400, "invalid_request")
        assert "Idempotency-Key" in missing.json()["detail"]

        posts = await asyncio.gather(
            *(
                http.post("/payments", json=body, headers={"Idempotency-Key": key})
                for _ in range(CONCURRENT_POSTS)
            )
        )
        assert {p.status_code for p in posts} == {202}, [p.text for p in posts]
        [operation_id] = {p.json()["id"] for p in posts}
        assert {p.headers["Location"] for p in posts} == {f"/operations/{operation_id}"}

        waited = await http.post("/payments", json=body, headers={"Idempotency-Key": key, **WAIT})
        assert waited.status_code == 200, waited.text
        assert waited.headers["Preference-Applied"] == "wait=60"
        done = waited.json()
        assert (done["id"], done["kind"], done["status"]) == (operation_id, "payment", "succeeded")
        assert done["result"]["confirmation_number"]
        workflow_id = f"payment-{workflow_key('acme', key)}"
        assert len(admin.ledger(client_reference(workflow_id))) == 1

        other_amount = await http.post(
            "/payments", json={**body, "amount_cents": 701}, headers={"Idempotency-Key": key}
        )
        assert (other_amount.status_code, other_amount.json()["code"]) == (
            422, "idempotency_conflict"
        )  # fmt: skip

        payment_path = done["links"]["payment"]
        payment = (await http.get(payment_path)).json()
        assert payment["status"] == "paid" and payment["operation_id"] == operation_id
        assert payment["confirmation_number"] == done["result"]["confirmation_number"]
        receipt = payment["receipt"]
        assert receipt["url"].startswith(api.process.url)
        listed = (await http.get("/payments")).json()
        assert payment["id"] in [p["id"] for p in listed["data"]]

    async with httpx.AsyncClient(timeout=30) as anyone:  # the link is its own authorization
        download = await anyone.get(receipt["url"])
    assert download.status_code == 200
    stored = (await bb_client.temporal.get_workflow_handle(workflow_id).result())["receipt"]
    content_hash = hashlib.sha256(download.content).hexdigest()
    assert content_hash == receipt["sha256"] == stored["sha256"]
    assert hashlib.sha256(artifact_store.get(stored["key"])).hexdigest() == content_hash

    async with api.http("reader") as http:
        refused = await http.post(
            "/payments", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    async with api.http("other") as http:
        for path in (f"/operations/{operation_id}", payment_path):
            foreign = await http.get(path)
            assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found"), path
        theirs = await http.post("/payments", json=body, headers={"Idempotency-Key": key})
        assert theirs.status_code == 404  # not their connection, whatever the key
    await record_history(
        bb_client.temporal.get_workflow_handle(workflow_id), "PostPaymentWorkflow--api-recorded"
    )


async def test_a_declined_card_is_a_failed_operation_and_stays_one(
    api: Api, connection: str, portal_under_test: PortalUnderTest, worker: Worker
) -> None:
    username = portal_under_test.sandbox.demo_username
    request = payment_for(portal_under_test.admin, connection, username, outcome="declined")
    body = body_of(request)
    key = str(uuid.uuid4())
    async with api.http("payer") as http:
        first = await http.post("/payments", json=body, headers={"Idempotency-Key": key, **WAIT})
        assert first.status_code == 200, first.text
        failed = first.json()
        assert failed["status"] == "failed" and failed["result"] is None
        assert failed["error"]["code"] == "payment_declined"
        assert failed["error"]["status"] == 402
        again = await http.post("/payments", json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 202
        assert (again.json()["id"], again.json()["status"]) == (failed["id"], "failed")
        row = (await http.get(failed["links"]["payment"])).json()
        assert (row["status"], row["failure"]["code"]) == ("failed", "payment_declined")
        listed = (await http.get("/operations")).json()
        assert failed["id"] in [o["id"] for o in listed["data"]]


async def test_a_key_still_being_accepted_is_409(
    api: Api, connection: str, settings: Settings
) -> None:
    body = PaymentCreate(
        connection_id=connection, statement_id="ST-1", amount_cents=100,
        payment_method_token="tok_visa",
    )  # fmt: skip
    key = str(uuid.uuid4())
    # Another API process holding the claim, as it would between its insert and its start.
    engine = open_engine(settings.read_model_url)
    try:
        IdempotencyKeys(engine).claim(
            "acme", key, kind=OperationKind.PAYMENT, fingerprint=fingerprint("/payments", body),
            workflow_id=f"payment-{workflow_key('acme', key)}", connection_id=connection,
        )  # fmt: skip
    finally:
        engine.dispose()
    async with api.http("payer") as http:
        busy = await http.post(
            "/payments", json=body.model_dump(mode="json"), headers={"Idempotency-Key": key}
        )
    assert (busy.status_code, busy.json()["code"]) == (409, "idempotency_in_progress")


async def test_refunds_and_deposits_over_http_name_the_portal_that_does_not_offer_them(
    api: Api, connection: str, worker: Worker
) -> None:
    """POST /refunds and /deposits through their real handlers and workflows: Cedar offers
    neither, so each operation fails with not_offered naming the portal, reads back through
    its own resource, and its key returns it again; scopes and tenants hold."""
    posts = {
        "/refunds": ("refunds", {"connection_id": connection, "confirmation_number": "CED-1"}),
        "/deposits": (
            "payments",
            {"connection_id": connection, "estimate_id": "EST-1", "payment_method_token": "tok"},
        ),
    }
    async with api.http("admin") as http, api.http("reader") as reader:
        for path, (scope, body) in posts.items():
            key = str(uuid.uuid4())
            refused = await reader.post(path, json=body, headers={"Idempotency-Key": key})
            assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), scope
            missing = await http.post(path, json=body)
            assert (missing.status_code, missing.json()["code"]) == (400, "invalid_request")

            first = await http.post(path, json=body, headers={"Idempotency-Key": key, **WAIT})
            assert first.status_code == 200, first.text
            failed = first.json()
            assert failed["status"] == "failed", failed
            assert failed["error"]["code"] == "not_offered", failed["error"]
            assert "cedar" in failed["error"]["detail"]
            again = await http.post(path, json=body, headers={"Idempotency-Key": key})
            assert (again.status_code, again.json()["id"]) == (202, failed["id"])
            other = await http.post(
                path, json={**body, "connection_id": connection + "x"},
                headers={"Idempotency-Key": key},
            )  # fmt: skip
            assert other.status_code in (404, 422), other.text

            link = failed["links"]["refund" if path == "/refunds" else "deposit"]
            shown = (await http.get(link)).json()
            assert (shown["status"], shown["error"]["code"]) == ("failed", "not_offered"), shown
            listed = (await http.get(path)).json()
            assert shown["id"] in [item["id"] for item in listed["data"]]
    async with api.http("other") as stranger:
        assert (await stranger.get(link)).status_code == 404


async def test_a_payment_plan_over_http_is_enrolled_once_and_read_from_its_workflow(
    api: Api, connection: str, portal_under_test: PortalUnderTest, worker: Worker
) -> None:
    """POST /payment-plans on Cedar: the operation runs while the plan runs, the plan reads
    back with its schedule and next draft, one plan in the portal's back office; a term the
    portal refuses is a typed failure; scopes and tenants hold."""
    admin = portal_under_test.admin
    statement = max(
        (
            admin.statement(summary.statement_id)
            for summary in admin.user(portal_under_test.sandbox.demo_username).statements
        ),
        key=lambda statement: statement.balance_cents,
    )  # Cedar's plans start at $50
    card = next(c for c in statement.payment_methods if c.outcome == "approved")
    body = {
        "connection_id": connection,
        "statement_id": statement.statement_id,
        "installment_amount_cents": max(1500, -(-statement.balance_cents // 6)),
        "payment_method_token": card.token,
    }
    key = str(uuid.uuid4())
    async with api.http("admin") as http:
        posts = await asyncio.gather(
            *(http.post("/payment-plans", json=body, headers={"Idempotency-Key": key})
              for _ in range(3))
        )  # fmt: skip
        assert {p.status_code for p in posts} == {202}, [p.text for p in posts]
        [operation_id] = {p.json()["id"] for p in posts}
        link = posts[0].json()["links"]["payment_plan"]

        async with asyncio.timeout(120):
            while True:
                plan = (await http.get(link)).json()
                if plan["plan_status"] == "active" and plan["schedule"]:
                    break
                assert plan["error"] is None, plan
                await asyncio.sleep(1)
        assert (plan["operation_id"], plan["status"]) == (operation_id, "running")
        assert plan["next_draft"]["installment_number"] == 1
        assert sum(i["amount"]["amount_cents"] for i in plan["schedule"]) == statement.balance_cents
        workflow_id = PLAN.workflow_id(workflow_key("acme", key))
        assert len(admin.plans(client_reference(workflow_id))) == 1
        listed = (await http.get("/payment-plans")).json()
        assert plan["id"] in [p["id"] for p in listed["data"]]

        too_small = await http.post(
            "/payment-plans", json={**body, "installment_amount_cents": 100},
            headers={"Idempotency-Key": str(uuid.uuid4()), **WAIT},
        )  # fmt: skip
        assert too_small.status_code in (200, 422), too_small.text
        refusal = too_small.json()
        code = refusal["error"]["code"] if too_small.status_code == 200 else refusal["code"]
        assert code == "installment_below_minimum", refusal

    async with api.http("payer") as http:  # payments, read: not plans
        refused = await http.post(
            "/payment-plans", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    async with api.http("other") as stranger:
        assert (await stranger.get(link)).status_code == 404


async def test_a_payment_held_after_its_portal_changed_is_cancelled_over_http(
    api: Api, connection: str, portal_under_test: PortalUnderTest, worker: Worker
) -> None:
    admin = portal_under_test.admin
    admin.set_layout("v2", "no_pay_button")
    username = portal_under_test.sandbox.demo_username
    body = body_of(payment_for(admin, connection, username, cents=300))
    async with api.http("payer") as http:
        posted = await http.post("/payments", json=body, headers={"Idempotency-Key": "held-1"})
        operation_id = posted.json()["id"]
        for _ in range(150):  # the operation shows the hold within seconds
            shown = (await http.get(f"/operations/{operation_id}")).json()
            if "waiting for an operator" in (shown["progress"] or ""):
                break
            assert shown["status"] == "running", shown
            await asyncio.sleep(0.2)
        assert "waiting for an operator" in shown["progress"], shown
        async with api.http("reader") as reader:
            refused = await reader.post(f"/payments/{operation_id}/cancel")
            assert refused.status_code == 403

        cancelled = await http.post(
            f"/payments/{operation_id}/cancel", json={"reason": "paid by phone"}
        )
        assert cancelled.status_code == 200, cancelled.text
        for _ in range(150):
            shown = (await http.get(f"/operations/{operation_id}")).json()
            if shown["status"] != "running":
                break
            await asyncio.sleep(0.2)
        assert (shown["status"], shown["error"]["code"]) == ("failed", "payment_cancelled")
        again = await http.post(f"/payments/{operation_id}/retry")
        assert (again.status_code, again.json()["code"]) == (409, "not_awaiting_operator")
    assert admin.ledger() == []
