"""The local secret file: every secret in one AES-256-GCM sealed JSON document.

The file holds no secret, and no secret's name, in the clear: a copied home folder, a
backup or a support bundle gives nothing without the master key. The master key comes from
``BILLBRIDGE_MASTER_KEY`` (base64 of 32 bytes: production sets it from a KMS, or keeps its
secrets in AWS Secrets Manager instead) or from a 0600 key file beside the secrets, made on
first use. A file sealed under another key, or whose key is gone, fails loudly; nothing
ever starts a fresh, empty store over it.

Workers, the CLI and tests share one home, so every read-modify-write runs under an
exclusive ``flock`` on a lock file beside it: two processes making the same secret at once
get one value, not two.

A file in the old plaintext format (a JSON object of names to values) is encrypted in place
on first use, so an existing installation keeps its connections; see docs/security.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.connections import SecretRef
from models.errors import SecretNotFound, SecretStoreUnreadable
from stores.private_files import exclusive_lock, write_private

logger = logging.getLogger(__name__)

FORMAT = "billbridge-secrets/1"
MASTER_KEY_ENV = "BILLBRIDGE_MASTER_KEY"
_NONCE_BYTES = 12


def master_key_id(key: bytes) -> str:
    """A short public name for a key: which key sealed a file, without revealing it."""
    return hashlib.sha256(b"billbridge master key id\0" + key).hexdigest()[:16]


def decode_master_key(encoded: str, where: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SecretStoreUnreadable(f"the master key in {where} is not 32 bytes, base64-encoded")
    return key


class LocalSecretFile:
    """``local:<name>`` references resolved from an encrypted 0600 file."""

    scheme = "local"

    def __init__(
        self, path: Path, *, master_key: bytes | None = None, key_file: Path | None = None
    ) -> None:
        self._path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._key_file = key_file or path.with_name("master.key")
        if master_key is not None and len(master_key) != 32:
            raise SecretStoreUnreadable("the master key must be 32 bytes (AES-256)")
        self._master_key = master_key

    # -- the SecretStore interface ------------------------------------------------------

    def get(self, ref: SecretRef) -> str:
        name = self._name(ref)
        with self._locked():
            try:
                return self._read()[name]
            except KeyError:
                # The reference is not secret; its value is.
                raise SecretNotFound(f"no secret stored under {ref}") from None

    def put(self, ref: SecretRef, value: str) -> None:
        name = self._name(ref)
        with self._locked():
            data = self._read()
            data[name] = value
            self._write(data)

    def get_or_create(self, ref: SecretRef, make: Callable[[], str]) -> str:
        """The value under ``ref``, made once: the lock makes check-and-store one step."""
        name = self._name(ref)
        with self._locked():
            data = self._read()
            if name not in data:
                data[name] = make()
                self._write(data)
            return data[name]

    # -- the file -------------------------------------------------------------------------

    def _name(self, ref: SecretRef) -> str:
        scheme, _, name = ref.ref.partition(":")
        if scheme != self.scheme:
            raise SecretStoreUnreadable(f"secret store '{scheme}' is not configured")
        return name

    def _locked(self) -> AbstractContextManager[None]:
        return exclusive_lock(self._lock_path)

    def _read(self) -> dict[str, str]:
        if not self._path.exists():
            return {}
        try:
            document = json.loads(self._path.read_bytes())
        except ValueError:
            raise SecretStoreUnreadable(f"{self._path} is not a BillBridge secret file") from None
        if isinstance(document, dict) and document.get("format") == FORMAT:
            return self._open(document)
        if isinstance(document, dict) and all(isinstance(v, str) for v in document.values()):
            return self._migrate(document)
        raise SecretStoreUnreadable(f"{self._path} is not a BillBridge secret file")

    def _open(self, document: dict[str, str]) -> dict[str, str]:
        key = self._key(create=False)
        if document.get("key_id") != master_key_id(key):
            raise SecretStoreUnreadable(
                f"{self._path} was sealed with master key {document.get('key_id')}, "
                f"but this process has key {master_key_id(key)} "
                f"(check {MASTER_KEY_ENV} or {self._key_file})"
            )
        try:
            plain = AESGCM(key).decrypt(
                base64.b64decode(document["nonce"]),
                base64.b64decode(document["ciphertext"]),
                _associated_data(document["key_id"]),
            )
        except (InvalidTag, KeyError, ValueError):
            raise SecretStoreUnreadable(f"{self._path} is damaged or was tampered with") from None
        data: dict[str, str] = json.loads(plain)
        return data

    def _migrate(self, plain: dict[str, str]) -> dict[str, str]:
        # Old installations kept a plaintext file; encrypt it in place rather than make the
        # operator re-enter every portal password.
        self._write(plain)
        logger.warning(
            "the secret file %s was plaintext (an older BillBridge); it is now encrypted. "
            "Rotate its portal passwords if the disk may have been copied.",
            self._path,
        )
        return plain

    def _write(self, data: dict[str, str]) -> None:
        key = self._key(create=True)
        key_id = master_key_id(key)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, json.dumps(data).encode(), _associated_data(key_id))
        document = {
            "format": FORMAT,
            "key_id": key_id,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
        }
        write_private(self._path, json.dumps(document, indent=2).encode())

    def _key(self, *, create: bool) -> bytes:
        """The injected key, else the key file; a new key file only for a new store."""
        if self._master_key is not None:
            return self._master_key
        if self._key_file.exists():
            return decode_master_key(self._key_file.read_text(), str(self._key_file))
        if not create or _holds_sealed_secrets(self._path):
            raise SecretStoreUnreadable(
                f"{self._path} is encrypted but its master key is missing: set "
                f"{MASTER_KEY_ENV} or restore {self._key_file}"
            )
        key = AESGCM.generate_key(bit_length=256)
        write_private(self._key_file, base64.b64encode(key) + b"\n")
        return key


def _associated_data(key_id: str) -> bytes:
    # Binds the format and key id to the ciphertext: neither can be edited unnoticed.
    return f"{FORMAT}\0{key_id}".encode()


def _holds_sealed_secrets(path: Path) -> bool:
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("format") == FORMAT
