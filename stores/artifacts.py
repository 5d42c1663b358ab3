"""Where receipts, statement PDFs and failure screenshots go, encrypted at rest.

The local store seals every file with AES-256-GCM under the artifact keyring (a secret in
the secret store, ``local:billbridge/artifact-keys``); the key id sits in the file's header,
so files written before a rotation stay readable. S3 (stores/s3_artifacts.py) uses
server-side encryption instead. Either way ``StoredArtifact.sha256`` is the SHA-256 of the
plaintext: the number an auditor compares with the portal's own PDF.

Links expire: S3 presigns them, the local store signs them (stores/artifact_links.py)
for the router in starters/servers/receipt_links.py.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.connections import SecretRef
from models.errors import ArtifactNotFound
from models.payments import StoredArtifact
from models.settings import Settings
from stores.artifact_links import ReceiptLinks
from stores.keyring import Keyring, rotate_stored_keyring, stored_keyring
from stores.private_files import write_private
from stores.sealing import seal, unseal
from stores.secrets import SecretStore, secret_or_create

ARTIFACT_KEYS_REF = SecretRef(ref="local:billbridge/artifact-keys")
RECEIPT_LINK_KEY_REF = SecretRef(ref="local:billbridge/receipt-link-key")

# File layout: magic, key-id length (1 byte), key id, 96-bit nonce, ciphertext + GCM tag.
_MAGIC = b"BBART1"


class ArtifactStore(Protocol):
    def put(self, key: str, content: bytes, content_type: str) -> StoredArtifact: ...

    def get(self, key: str) -> bytes: ...

    def link(self, key: str, ttl: timedelta) -> str: ...


class UndecryptableArtifact(Exception):
    """A stored file we cannot open: not ours, key not in the keyring, or tampered with."""


class LocalArtifactStore:
    """A folder on the worker's disk; keys are relative paths inside it."""

    def __init__(self, root: Path, keyring: Keyring, links: ReceiptLinks) -> None:
        self._root = root.resolve()
        self._keyring = keyring
        self._links = links

    def _path(self, key: str) -> Path:
        path = (self._root / key).resolve()
        if not path.is_relative_to(self._root) or path == self._root:
            raise ValueError(f"artifact key escapes the store: {key!r}")
        return path

    def put(self, key: str, content: bytes, content_type: str) -> StoredArtifact:
        path = self._path(key)
        # Same key, same plaintext: a retried activity rewrites an equivalent file, harmlessly.
        write_private(path, self._seal(key, content))
        return StoredArtifact(
            key=key,
            location=str(path),
            sha256=hashlib.sha256(content).hexdigest(),
            size_bytes=len(content),
            content_type=content_type,
        )

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise ArtifactNotFound(f"no artifact stored under {key}")
        return self._open(key, path.read_bytes())

    def link(self, key: str, ttl: timedelta) -> str:
        if not self._path(key).is_file():
            raise ArtifactNotFound(f"no artifact stored under {key}")
        return self._links.link(key, ttl)

    def _seal(self, key: str, content: bytes) -> bytes:
        key_id = self._keyring.active.encode()
        header = _MAGIC + bytes([len(key_id)]) + key_id
        # The header and the artifact key are bound as associated data: a file copied to
        # another key, or relabelled with another key id, fails to open.
        cipher = AESGCM(self._keyring.key(self._keyring.active))
        return header + seal(cipher, content, header + key.encode())

    def _open(self, key: str, blob: bytes) -> bytes:
        if not blob.startswith(_MAGIC) or len(blob) <= len(_MAGIC):
            raise UndecryptableArtifact(f"artifact {key} is not encrypted by BillBridge")
        id_end = len(_MAGIC) + 1 + blob[len(_MAGIC)]
        key_id = blob[len(_MAGIC) + 1 : id_end].decode(errors="replace")
        if key_id not in self._keyring.keys:
            raise UndecryptableArtifact(
                f"artifact {key} was sealed with key {key_id!r}, which is not in the keyring"
            )
        try:
            return unseal(
                AESGCM(self._keyring.key(key_id)), blob[id_end:], blob[:id_end] + key.encode()
            )
        except InvalidTag:
            raise UndecryptableArtifact(f"artifact {key} is damaged or was tampered with") from None


def artifact_keyring(store: SecretStore) -> Keyring:
    """The artifact keys (made on first use), separate from the payload codec's keyring."""
    return stored_keyring(store, ARTIFACT_KEYS_REF)


def rotate_artifact_keys(store: SecretStore) -> Keyring:
    """New artifacts under a new key; every older key stays for reading old files."""
    return rotate_stored_keyring(store, ARTIFACT_KEYS_REF)


def receipt_link_key(store: SecretStore) -> bytes:
    """The HMAC key of local receipt links, shared by who signs and who serves them."""
    return bytes.fromhex(
        secret_or_create(store, RECEIPT_LINK_KEY_REF, lambda: secrets.token_hex(32))
    )


def open_artifact_store(settings: Settings, store: SecretStore) -> ArtifactStore:
    """S3 when a bucket is configured, else the encrypted local folder."""
    if settings.artifacts_s3_bucket:
        from stores.aws import aws_client
        from stores.s3_artifacts import S3ArtifactStore

        return S3ArtifactStore(
            aws_client(settings, "s3"),
            settings.artifacts_s3_bucket,
            kms_key_id=settings.artifacts_s3_kms_key_id,
        )
    return LocalArtifactStore(
        settings.artifacts_root,
        artifact_keyring(store),
        ReceiptLinks(receipt_link_key(store), settings.receipt_links_base_url),
    )
