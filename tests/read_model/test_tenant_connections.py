"""Connections in the read model: per tenant, paged, no credential stored."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from models.connections import PortalName
from models.pages import PageRequest
from stores.read_model.migrate import upgrade
from stores.read_model.tenant_connections import TenantConnectionNotFound, TenantConnections


@pytest.fixture
def connections(engine: Engine) -> TenantConnections:
    upgrade(engine)
    return TenantConnections(engine)


def test_connections_belong_to_one_tenant(connections: TenantConnections) -> None:
    made = connections.add("acme", "conn_a", PortalName.CEDAR, "https://cedar.example")
    assert made.synced_at is None and made.created_at.tzinfo is not None
    assert connections.get("acme", "conn_a") == made
    with pytest.raises(TenantConnectionNotFound):
        connections.get("globex", "conn_a")
    connections.add("globex", "conn_b", PortalName.PATIENTCO, "https://pco.example")
    assert [c.id for c in connections.list("acme", PageRequest()).data] == ["conn_a"]


def test_pages_and_removal(connections: TenantConnections, engine: Engine) -> None:
    for i in range(5):
        connections.add("acme", f"conn_{i}", PortalName.HEALTHPAY24, "https://hp.example")
    page = connections.list("acme", PageRequest(limit=3))
    assert [c.id for c in page.data] == ["conn_0", "conn_1", "conn_2"] and page.has_more
    rest = connections.list("acme", PageRequest(limit=3, starting_after="conn_2"))
    assert [c.id for c in rest.data] == ["conn_3", "conn_4"] and not rest.has_more
    connections.remove("acme", "conn_4")
    with pytest.raises(TenantConnectionNotFound):
        connections.get("acme", "conn_4")
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM connections")).keys()
    assert not {"username", "password", "totp_secret"} & set(columns)
