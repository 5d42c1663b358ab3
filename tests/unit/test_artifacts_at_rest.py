"""The local artifact store: sealed files, plaintext hashes, key rotation, expiring links."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from models.errors import ArtifactNotFound, InvalidInput
from models.settings import Settings
from starters.servers.receipt_links import receipt_links_router
from stores.artifact_links import ReceiptLinks
from stores.artifacts import (
    LocalArtifactStore,
    UndecryptableArtifact,
    artifact_keyring,
    open_artifact_store,
    receipt_link_key,
    rotate_artifact_keys,
)
from stores.secrets import open_secret_store

RECEIPT = b"%PDF-1.4 receipt for Jane Q. Patient, MRN 00451234, confirmation CNF-778812"
KEY = "receipts/demo-cedar/CNF-778812.pdf"


def test_files_are_sealed_and_the_hash_is_the_plaintexts(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = open_artifact_store(settings, open_secret_store(settings))

    stored = store.put(KEY, RECEIPT, "application/pdf")

    on_disk = Path(stored.location).read_bytes()
    assert Path(stored.location).is_relative_to(settings.artifacts_root)
    assert b"Jane Q. Patient" not in on_disk and b"00451234" not in on_disk
    assert b"%PDF" not in on_disk
    assert stored.sha256 == hashlib.sha256(RECEIPT).hexdigest()  # what an auditor compares
    assert stored.size_bytes == len(RECEIPT)
    assert store.get(KEY) == RECEIPT
    # Another process opening the same home reads it back.
    assert open_artifact_store(settings, open_secret_store(settings)).get(KEY) == RECEIPT


def test_files_written_before_a_rotation_stay_readable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    secrets = open_secret_store(settings)
    old_store = open_artifact_store(settings, secrets)
    old_store.put("receipts/c/old.pdf", b"old receipt", "application/pdf")
    old_key_id = artifact_keyring(secrets).active

    rotated = rotate_artifact_keys(secrets)
    new_store = open_artifact_store(settings, secrets)
    new_store.put("receipts/c/new.pdf", b"new receipt", "application/pdf")

    assert rotated.active != old_key_id
    header = (settings.artifacts_root / "receipts/c/new.pdf").read_bytes()[:40]
    assert rotated.active.encode() in header
    assert old_key_id.encode() in (settings.artifacts_root / "receipts/c/old.pdf").read_bytes()
    assert new_store.get("receipts/c/old.pdf") == b"old receipt"
    assert new_store.get("receipts/c/new.pdf") == b"new receipt"
    # A store that lost the old key refuses loudly instead of returning garbage.
    with pytest.raises(UndecryptableArtifact, match="not in the keyring"):
        LocalArtifactStore(settings.artifacts_root, rotated.model_copy(
            update={"keys": {rotated.active: rotated.keys[rotated.active]}}
        ), ReceiptLinks(bytes(32))).get("receipts/c/old.pdf")  # fmt: skip


def test_a_file_moved_to_another_key_or_left_in_plaintext_is_refused(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store = open_artifact_store(settings, open_secret_store(settings))
    store.put("receipts/c/a.pdf", RECEIPT, "application/pdf")
    root = settings.artifacts_root
    (root / "receipts/c/b.pdf").write_bytes((root / "receipts/c/a.pdf").read_bytes())
    (root / "receipts/c/plain.pdf").write_bytes(RECEIPT)

    with pytest.raises(UndecryptableArtifact, match="tampered"):
        store.get("receipts/c/b.pdf")
    with pytest.raises(UndecryptableArtifact, match="not encrypted"):
        store.get("receipts/c/plain.pdf")
    with pytest.raises(ArtifactNotFound):
        store.get("receipts/c/missing.pdf")


def _client(tmp_path: Path) -> tuple[httpx.AsyncClient, LocalArtifactStore, bytes]:
    settings = Settings(home=tmp_path, receipt_links_base_url="http://testserver")
    secrets = open_secret_store(settings)
    store = open_artifact_store(settings, secrets)
    assert isinstance(store, LocalArtifactStore)
    signing_key = receipt_link_key(secrets)
    app = FastAPI()
    app.include_router(receipt_links_router(store, signing_key))
    # In process, through the ASGI interface: the router as the codec server would serve it.
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver")
    return client, store, signing_key


async def test_a_receipt_link_returns_the_exact_bytes_until_it_expires(tmp_path: Path) -> None:
    client, store, signing_key = _client(tmp_path)
    store.put(KEY, RECEIPT, "application/pdf")

    link = store.link(KEY, timedelta(minutes=5))
    response = await client.get(link)
    assert response.status_code == 200
    assert response.content == RECEIPT
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    expires = int(parse_qs(urlsplit(link).query)["expires"][0])
    assert 290 <= expires - time.time() <= 300

    an_hour_ago = ReceiptLinks(signing_key, "http://testserver", clock=lambda: time.time() - 3600)
    expired = await client.get(an_hour_ago.link(KEY, timedelta(minutes=5)))
    assert expired.status_code == 403
    assert RECEIPT not in expired.content


async def test_a_tampered_link_is_refused(tmp_path: Path) -> None:
    client, store, _ = _client(tmp_path)
    store.put(KEY, RECEIPT, "application/pdf")
    store.put("receipts/other/CNF-1.pdf", b"someone else's receipt", "application/pdf")
    link = store.link(KEY, timedelta(minutes=5))
    query = urlsplit(link).query
    expires = parse_qs(query)["expires"][0]

    assert (await client.get(f"/artifacts/receipts/other/CNF-1.pdf?{query}")).status_code == 403
    later = query.replace(f"expires={expires}", f"expires={int(expires) + 86400}")
    assert (await client.get(f"/artifacts/{KEY}?{later}")).status_code == 403
    forged = ReceiptLinks(bytes(32), "http://testserver").link(KEY, timedelta(minutes=5))
    assert (await client.get(forged)).status_code == 403
    assert (await client.get(f"/artifacts/{KEY}")).status_code == 422  # no signature at all


async def test_links_only_for_stored_artifacts_and_sane_lifetimes(tmp_path: Path) -> None:
    client, store, signing_key = _client(tmp_path)
    with pytest.raises(ArtifactNotFound):
        store.link("receipts/c/none.pdf", timedelta(minutes=5))
    store.put(KEY, RECEIPT, "application/pdf")
    for ttl in (timedelta(0), timedelta(days=8)):
        with pytest.raises(InvalidInput):
            store.link(KEY, ttl)
    # A valid signature for a file that was since deleted: 404, not a crash.
    link = ReceiptLinks(signing_key, "http://testserver").link("receipts/c/gone.pdf", timedelta(1))
    assert (await client.get(link)).status_code == 404


def _cli_link(home: Path, key: str) -> str:
    """``billbridge receipts link`` as an operator runs it, in its own process."""
    env = {
        **os.environ,
        "BILLBRIDGE_HOME": str(home),
        "BILLBRIDGE_RECEIPT_LINKS_BASE_URL": "http://testserver",
    }
    command = ["receipts", "link", key, "--ttl-minutes", "3"]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "billbridge"), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def test_the_cli_prints_a_link_the_router_serves(tmp_path: Path) -> None:
    client, store, _ = _client(tmp_path)
    store.put(KEY, RECEIPT, "application/pdf")

    link = await asyncio.to_thread(_cli_link, tmp_path, KEY)

    assert link.startswith(f"http://testserver/artifacts/{KEY}?expires=")
    response = await client.get(link)
    assert response.status_code == 200 and response.content == RECEIPT
