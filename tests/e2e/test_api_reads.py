"""The reads over HTTP, filled by a real sync: a connection made over HTTP on each sandbox
(its TOTP login, so no person is needed), ``?refresh=true`` runs the sync through the real
worker, Chromium and the portal, and the API answers the sandbox's statements with their
line items and balances, patients, accounts (and PDFs and estimates on HealthPay24); a
second tenant gets 404; a second sync keeps every id."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from temporalio.worker import Worker

from models.connection_sync import sync_schedule_id, sync_workflow_id
from models.connections import PortalName
from models.settings import Settings
from starters.client import BillBridgeClient
from tests.api_server import start_api
from tests.e2e.conftest import PortalUnderTest
from tests.replay.recording import record_history

pytestmark = pytest.mark.e2e

# A sync signs in, lists, and opens each statement in a browser: generous on a busy machine.
REFRESH_BOUND = "240"


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# Cedar (the plain path) and HealthPay24 (statement PDFs, estimates); Patientco passes too
# but its staff login's many statements cost a minute more than the suite's budget allows.
@pytest.mark.parametrize(
    "portal_under_test", [PortalName.CEDAR, PortalName.HEALTHPAY24], indirect=True
)
async def test_a_sync_fills_the_reads_and_a_second_keeps_the_ids(
    settings: Settings,
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    task_queue: str,
) -> None:
    admin = portal_under_test.admin
    user = admin.user(portal_under_test.sandbox.demo_username)
    api = start_api(
        settings.home,
        {
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "BILLBRIDGE_TASK_QUEUE": task_queue,
            "BILLBRIDGE_API_REFRESH_TIMEOUT_SECONDS": REFRESH_BOUND,
        },
    )
    tenant = f"t{uuid.uuid4().hex[:8]}"
    try:
        owner = api.new_key(tenant, "ops", "admin")
        stranger = api.new_key(f"{tenant}x", "ops", "admin")
        async with httpx.AsyncClient(base_url=api.url, headers=_auth(owner), timeout=300) as http:
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
            connection_id = made.json()["id"]
            # Its Schedule was made with the connection.
            schedule = client.temporal.get_schedule_handle(sync_schedule_id(connection_id))
            assert (await schedule.describe()).id == sync_schedule_id(connection_id)

            query = {"connection_id": connection_id, "limit": "100"}
            first = await http.get("/statements", params={**query, "refresh": "true"})
            assert first.status_code == 200, first.text
            assert first.headers["BillBridge-Refresh"] == "completed", api.log()[-3000:]
            statements = first.json()["data"]
            await record_history(
                client.temporal.get_workflow_handle(sync_workflow_id(connection_id)),
                f"SyncConnectionWorkflow--{portal_under_test.name.value}-first-sync",
            )
            _matches_the_sandbox(statements, user.statements)
            assert all(s["synced_at"] and s["connection_id"] == connection_id for s in statements)

            patients = (await http.get("/patients", params=query)).json()["data"]
            accounts = (await http.get("/accounts", params=query)).json()["data"]
            truth = admin.accounts(user.username)
            assert sorted(a["balance"]["amount_cents"] for a in accounts) == sorted(
                a.balance_cents for a in truth
            )
            assert {p["id"] for p in patients} == {a["patient_id"] for a in accounts}
            assert sum(p["balance"]["amount_cents"] for p in patients) == sum(
                a.balance_cents for a in truth
            )
            one = statements[0]
            shown = await http.get(f"/statements/{one['id']}")
            assert shown.json()["line_items"] == one["line_items"]
            await _pdf_and_estimates(http, portal_under_test.name, statements, query)

            async with httpx.AsyncClient(base_url=api.url, headers=_auth(stranger)) as other:
                for path in (
                    f"/statements/{one['id']}", f"/statements/{one['id']}/pdf",
                    f"/accounts/{accounts[0]['id']}", f"/patients/{patients[0]['id']}",
                ):  # fmt: skip
                    foreign = await other.get(path)
                    assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
                assert (await other.get("/statements", params=query)).json()["data"] == []

            again = await http.get(f"/statements/{one['id']}", params={"refresh": "true"})
            assert again.headers["BillBridge-Refresh"] == "completed"
            assert again.json()["synced_at"] > one["synced_at"]
            second = (await http.get("/statements", params=query)).json()["data"]
            assert [s["id"] for s in second] == [s["id"] for s in statements]
            accounts_again = (await http.get("/accounts", params=query)).json()["data"]
            assert [a["id"] for a in accounts_again] == [a["id"] for a in accounts]
            shown_connection = (await http.get(f"/connections/{connection_id}")).json()
            assert shown_connection["synced_at"] == again.json()["synced_at"]
            await schedule.delete()
    finally:
        api.process.stop()


def _matches_the_sandbox(statements: list[dict[str, Any]], truth: list[Any]) -> None:
    by_number = {s["statement_number"]: s for s in statements}
    assert set(by_number) == {t.statement_id for t in truth}
    for expected in truth:
        shown = by_number[expected.statement_id]
        assert shown["balance"]["amount_cents"] == expected.balance_cents
        assert shown["total"]["amount_cents"] == expected.total_cents
        assert shown["line_items"], shown["statement_number"]
        if expected.line_items:
            assert len(shown["line_items"]) == len(expected.line_items)


async def _pdf_and_estimates(
    http: httpx.AsyncClient,
    portal: PortalName,
    statements: list[dict[str, Any]],
    query: dict[str, str],
) -> None:
    with_pdf = [s for s in statements if s["pdf_available"]]
    without = [s for s in statements if not s["pdf_available"]]
    if portal is PortalName.HEALTHPAY24:
        assert with_pdf, "HealthPay24 offers statement PDFs"
        document = await http.get(f"/statements/{with_pdf[0]['id']}/pdf")
        assert document.status_code == 200 and document.content.startswith(b"%PDF")
        estimates = (await http.get("/estimates", params=query)).json()["data"]
        assert estimates and all(e["synced_at"] for e in estimates)
        shown = await http.get(f"/estimates/{estimates[0]['id']}")
        assert shown.json()["deposit_due"] == estimates[0]["deposit_due"]
    else:
        assert not with_pdf
        assert (await http.get("/estimates", params=query)).json()["data"] == []
    if without:
        absent = await http.get(f"/statements/{without[0]['id']}/pdf")
        assert absent.status_code == 404
        assert absent.json()["code"] == "statement_pdf_not_available"
