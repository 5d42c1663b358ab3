"""The local secret file, connections file and artifact store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from models.connections import Connection, PortalName, SecretRef
from models.errors import ConnectionNotFound, SecretNotFound
from stores.artifact_links import ReceiptLinks
from stores.artifacts import LocalArtifactStore
from stores.connections import ConnectionRegistry
from stores.keyring import new_keyring
from stores.secrets import LocalSecretFile, resolve_credentials


def test_secrets_are_owner_only_and_resolved_by_reference(tmp_path: Path) -> None:
    store = LocalSecretFile(tmp_path / "secrets.json")
    ref = SecretRef(ref="local:conn/password")
    store.put(ref, "s3cret")
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600
    connection = Connection(
        id="conn", portal=PortalName.CEDAR, base_url="http://x", username="u", password_ref=ref
    )
    credentials = resolve_credentials(connection, store)
    assert credentials.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(credentials)
    with pytest.raises(SecretNotFound) as caught:
        store.get(SecretRef(ref="local:conn/missing"))
    assert "s3cret" not in caught.value.message


def test_connections_round_trip(tmp_path: Path) -> None:
    registry = ConnectionRegistry(tmp_path / "connections.json")
    connection = Connection(
        id="c1",
        portal=PortalName.CEDAR,
        base_url="http://x",
        username="u",
        password_ref=SecretRef(ref="local:c1/password"),
    )
    registry.save(connection)
    assert registry.get("c1") == connection
    with pytest.raises(ConnectionNotFound):
        registry.get("nope")


def test_artifact_store_hashes_and_refuses_escapes(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path, new_keyring(), ReceiptLinks(bytes(32)))
    stored = store.put("receipts/a.pdf", b"%PDF-1.4", "application/pdf")
    assert stored.size_bytes == 8 and len(stored.sha256) == 64
    assert store.get("receipts/a.pdf") == b"%PDF-1.4"
    with pytest.raises(ValueError):
        store.put("../outside", b"x", "text/plain")
