"""`POST/GET /connections` over real HTTP: credentials stored, never echoed; per tenant."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

from models.connection_session import SessionWorkflowInput, session_workflow_id
from models.settings import Settings
from starters.local.stack import TemporalDevServer
from tests.api_server import ApiProcess
from workers.temporal_client import connect
from workflows.connection_session import ConnectionSessionWorkflow

Factory = Callable[[dict[str, str]], ApiProcess]
PASSWORD = "Correct-Horse-7781"
TOTP = "JBSWY3DPEHPK3PXP"
USERNAME = "jdoe.billing"


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_connections_store_credentials_by_reference_and_report_their_status(
    api_factory: Factory, temporal_server: TemporalDevServer
) -> None:
    api = api_factory({"TEMPORAL_ADDRESS": temporal_server.address})
    admin = api.new_key("acme", "ops", "admin")
    reader = api.new_key("acme", "dashboard", "read")
    stranger = api.new_key("globex", "ops", "admin")
    body = {
        "portal": "cedar",
        "base_url": "https://cedar.example/",
        "username": USERNAME,
        "password": PASSWORD,
        "totp_secret": TOTP,
    }
    with httpx.Client(base_url=api.url, timeout=15) as http:
        refused = http.post("/connections", json=body, headers=_auth(reader))
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"

        made = http.post("/connections", json=body, headers=_auth(admin))
        assert made.status_code == 201, made.text
        connection = made.json()
        for secret in (PASSWORD, TOTP, USERNAME):
            assert secret not in made.text
        assert connection["id"].startswith("conn_") and connection["portal"] == "cedar"
        assert connection["base_url"] == "https://cedar.example"
        # No process has asked for a session yet: said so, not guessed.
        assert (connection["status"], connection["session_started"]) == ("signed_out", False)

        shown = http.get(f"/connections/{connection['id']}", headers=_auth(reader))
        assert shown.status_code == 200 and shown.json()["id"] == connection["id"]
        listed = http.get("/connections", headers=_auth(reader)).json()
        assert [c["id"] for c in listed["data"]] == [connection["id"]]
        assert not listed["has_more"]

        foreign = http.get(f"/connections/{connection['id']}", headers=_auth(stranger))
        assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
        assert http.get("/connections", headers=_auth(stranger)).json()["data"] == []

    # The worker's registry names the connection with references; the secrets are sealed.
    home = Path(api.env["BILLBRIDGE_HOME"])
    registry = json.loads((home / "connections.json").read_text())
    saved = registry[connection["id"]]
    assert saved["password_ref"]["ref"].startswith("local:")
    assert saved["totp_secret_ref"] is not None
    sealed = (home / "secrets.json").read_bytes()
    assert PASSWORD.encode() not in sealed and TOTP.encode() not in sealed
    for secret in (PASSWORD, TOTP):
        assert secret not in api.log()


def test_a_connection_is_stored_without_temporal_but_its_status_says_it_needs_it(
    api_factory: Factory,
) -> None:
    api = api_factory(
        {"TEMPORAL_ADDRESS": "127.0.0.1:9", "BILLBRIDGE_API_HEALTH_TIMEOUT_SECONDS": "2"}
    )
    admin = api.new_key("acme", "ops", "admin")
    body = {"portal": "patientco", "base_url": "http://127.0.0.1:1", "username": "u",
            "password": PASSWORD}  # fmt: skip
    made = httpx.post(f"{api.url}/connections", json=body, headers=_auth(admin), timeout=15)
    # Stored without Temporal: a new connection has no session to ask about.
    assert made.status_code == 201 and made.json()["status"] == "signed_out", made.text
    for path in (f"/connections/{made.json()['id']}", "/connections"):
        shown = httpx.get(f"{api.url}{path}", headers=_auth(admin), timeout=15)
        assert shown.status_code == 503, shown.text
        assert shown.json()["code"] == "temporal_unreachable"
        assert shown.headers["content-type"] == "application/problem+json"


async def test_a_session_no_worker_answers_is_worker_unavailable_within_the_bound(
    api_factory: Factory, temporal_server: TemporalDevServer
) -> None:
    api = api_factory(
        {"TEMPORAL_ADDRESS": temporal_server.address, "BILLBRIDGE_API_HEALTH_TIMEOUT_SECONDS": "2"}
    )
    admin = api.new_key("acme", "ops", "admin")
    body = {"portal": "cedar", "base_url": "http://127.0.0.1:1", "username": "u",
            "password": PASSWORD}  # fmt: skip
    async with httpx.AsyncClient(base_url=api.url, headers=_auth(admin), timeout=15) as http:
        connection_id = (await http.post("/connections", json=body)).json()["id"]
        # Its session workflow exists, on a task queue no worker polls.
        settings = Settings(
            home=Path(api.env["BILLBRIDGE_HOME"]), temporal_address=temporal_server.address
        )
        temporal = await connect(settings)
        await temporal.start_workflow(
            ConnectionSessionWorkflow.run,
            SessionWorkflowInput(connection_id=connection_id),
            id=session_workflow_id(connection_id),
            task_queue=f"nobody-{uuid.uuid4().hex[:8]}",
        )
        started = time.monotonic()
        shown = await http.get(f"/connections/{connection_id}")
        assert time.monotonic() - started < 8
        assert shown.status_code == 503, shown.text
        assert shown.json()["code"] == "worker_unavailable"
        await temporal.get_workflow_handle(session_workflow_id(connection_id)).terminate()
