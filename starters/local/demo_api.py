"""The demo's HTTP API: a key for the ``demo`` tenant, the demo connection in its read model,
and the calls the demo shows through it once the payment is posted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx

from models.api_keys import Scope
from models.connections import PortalName
from models.settings import Settings
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine
from stores.read_model.migrate import upgrade
from stores.read_model.tenant_connections import TenantConnections

DEMO_TENANT = "demo"


@dataclass(frozen=True)
class DemoTenant:
    key_id: str
    key: str


def open_demo_tenant(
    settings: Settings, connection_id: str, portal: PortalName, base_url: str
) -> DemoTenant:
    """An admin key for the demo tenant, and the demo connection registered under it (again:
    each run's sandbox has a new address), so ``GET /connections/{id}`` shows the real
    session's status. Migrated here first, so the API process starts on a ready database."""
    engine = open_engine(settings.read_model_url)
    try:
        upgrade(engine)
        # Names are unique in a tenant for good: each run has its own key, revoked at its end.
        created = ApiKeys(engine).create(DEMO_TENANT, f"demo-{secrets.token_hex(4)}", [Scope.ADMIN])
        connections = TenantConnections(engine)
        connections.remove(DEMO_TENANT, connection_id)
        connections.add(DEMO_TENANT, connection_id, portal, base_url)
    finally:
        engine.dispose()
    return DemoTenant(key_id=created.id, key=created.key.get_secret_value())


def revoke_demo_key(settings: Settings, key_id: str) -> None:
    engine = open_engine(settings.read_model_url)
    try:
        ApiKeys(engine).revoke(key_id, DEMO_TENANT)
    finally:
        engine.dispose()


def api_calls(base_url: str, key: str, connection_id: str) -> list[tuple[str, int, str]]:
    """``GET /health`` and ``GET /connections/{id}`` through the API, as a caller makes them:
    (request, status, what the answer says)."""
    shown: list[tuple[str, int, str]] = []
    with httpx.Client(base_url=base_url, timeout=30) as http:
        health = http.get("/health")
        body = health.json()
        said = str(body.get("code"))
        if health.is_success:
            said = f"{body['status']} (temporal reachable: {body['temporal']['reachable']}, "
            said += f"database reachable: {body['database']['reachable']})"
        shown.append(("GET /health", health.status_code, said))
        path = f"/connections/{connection_id}"
        connection = http.get(path, headers={"Authorization": f"Bearer {key}"})
        body = connection.json()
        said = f"status {body['status']}" if connection.is_success else str(body.get("code"))
        shown.append((f"GET {path}", connection.status_code, said))
    return shown
