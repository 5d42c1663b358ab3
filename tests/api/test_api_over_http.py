"""`billbridge api` over real HTTP: its documents, its health, tenants' keys and scopes."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import httpx

from starters.local.stack import TemporalDevServer
from stores.read_model.migrate import head_revision
from tests.api_server import ApiProcess, billbridge

NO_TEMPORAL = {"TEMPORAL_ADDRESS": "127.0.0.1:9", "BILLBRIDGE_API_HEALTH_TIMEOUT_SECONDS": "2"}
Factory = Callable[[dict[str, str]], ApiProcess]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_openapi_31_docs_and_health_with_temporal_and_database_up(
    api_factory: Factory, temporal_server: TemporalDevServer
) -> None:
    api = api_factory({"TEMPORAL_ADDRESS": temporal_server.address})
    document = httpx.get(f"{api.url}/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert {"/health", "/api-keys", "/api-keys/{key_id}"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    docs = httpx.get(f"{api.url}/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    health = httpx.get(f"{api.url}/health", timeout=10)
    assert health.json() == {
        "status": "ok",
        "temporal": {"reachable": True},
        "database": {"reachable": True},
    }
    assert health.headers["request-id"].startswith("req_")


def test_health_is_degraded_within_its_bound_when_temporal_is_down(api_factory: Factory) -> None:
    api = api_factory(NO_TEMPORAL)
    health = httpx.get(f"{api.url}/health", timeout=10)
    assert health.status_code == 200
    assert health.elapsed.total_seconds() < 5
    assert health.json()["status"] == "degraded"
    assert health.json()["temporal"] == {"reachable": False}


def test_keys_scopes_and_tenants_over_http(api_factory: Factory, database_url: str) -> None:
    api = api_factory({**NO_TEMPORAL, "BILLBRIDGE_DATABASE_URL": database_url})
    acme_admin = api.new_key("acme", "ops", "admin")
    acme_reader = api.new_key("acme", "dashboard", "read")
    globex_admin = api.new_key("globex", "ops", "admin")

    with httpx.Client(base_url=api.url, timeout=10) as http:
        made = http.post(
            "/api-keys", json={"name": "payer", "scopes": ["payments"]}, headers=_auth(acme_admin)
        )
        assert made.status_code == 201, made.text
        new = made.json()
        assert new["key"].startswith("bbk_") and new["tenant_id"] == "acme"
        assert new["scopes"] == ["payments"]

        # Lists are the tenant's only, in cursor pages, and never carry the key again.
        first = http.get("/api-keys", params={"limit": 2}, headers=_auth(acme_admin)).json()
        assert first["object"] == "list" and first["has_more"] is True
        rest = http.get(
            "/api-keys",
            params={"limit": 2, "starting_after": first["data"][-1]["id"]},
            headers=_auth(acme_admin),
        ).json()
        names = [k["name"] for k in first["data"] + rest["data"]]
        assert names == ["ops", "dashboard", "payer"] and rest["has_more"] is False
        assert "key" not in rest["data"][-1] and new["key"] not in str(first) + str(rest)

        # A missing scope is a 403; another tenant's object a 404, for reads and writes.
        forbidden = http.get("/api-keys", headers=_auth(acme_reader))
        assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
        for method in ("GET", "DELETE"):
            foreign = http.request(method, f"/api-keys/{new['id']}", headers=_auth(globex_admin))
            assert foreign.status_code == 404 and foreign.json()["code"] == "not_found"
        assert http.get(f"/api-keys/{new['id']}", headers=_auth(acme_admin)).status_code == 200

        # Revoked by the API or the CLI: refused at once.
        revoked = http.delete(f"/api-keys/{new['id']}", headers=_auth(acme_admin))
        assert revoked.json()["revoked_at"] is not None
        assert http.get("/api-keys", headers=_auth(new["key"])).status_code == 401
        reader_id = "key_" + acme_reader[len("bbk_") :].split("_", 1)[0]
        assert api.cli("api-keys", "revoke", reader_id).returncode == 0
        assert http.get("/api-keys", headers=_auth(acme_reader)).status_code == 401

    listed = api.cli("api-keys", "list", "--tenant", "acme")
    assert listed.returncode == 0
    assert "acme/ops" in listed.stdout and "revoked" in listed.stdout
    assert acme_admin not in listed.stdout and acme_reader not in listed.stdout


def test_request_logs_carry_the_request_id_and_no_key_and_the_server_stops_cleanly(
    api_factory: Factory,
) -> None:
    api = api_factory(NO_TEMPORAL)
    key = api.new_key("acme", "ops", "admin")
    response = httpx.get(
        f"{api.url}/api-keys", params={"starting_after": "key_nope"}, headers=_auth(key)
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    request_id = response.headers["request-id"]
    assert api.process.process is not None
    api.process.process.send_signal(signal.SIGTERM)
    assert api.process.process.wait(20) == 0
    log = api.log()
    assert "GET /api-keys -> 422" in log and f"request_id={request_id}" in log
    assert key not in log and "key_nope" not in log


def test_the_commands_migrate_and_refuse_bad_input_in_one_line(tmp_path: Path) -> None:
    env = {"BILLBRIDGE_HOME": str(tmp_path)}
    migrated = billbridge(env, "api", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"at revision {head_revision()}" in migrated.stdout
    bad = billbridge(
        env, "api-keys", "create", "--tenant", "Acme Corp", "--name", "x", "--scope", "read"
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: InvalidInput:")
    assert "Acme Corp" not in bad.stderr and len(bad.stderr.splitlines()) == 1
    unknown = billbridge(env, "api-keys", "revoke", "key_nothing")
    assert unknown.returncode == 2 and "no API key with that id" in unknown.stderr
