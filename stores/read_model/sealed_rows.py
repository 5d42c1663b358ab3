"""Patient data in the read model is sealed: what a portal showed about a person (names,
birth dates, MRNs, service dates, charges' descriptions) is stored as an AES-256-GCM blob,
bound to its table and row id, and the portal's identifiers only as keyed hashes.

A copied database file, a backup or a ``SELECT *`` then shows amounts, statuses and ids,
never PHI; the key lives in the secret store (made once), like the session-state key.
Rows are found again on the next sync by ``source_key``: HMAC-SHA256 of the connection and
the portal's identifier, so equal identifiers match without being stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from models.connections import SecretRef
from stores.sealing import seal, unseal
from stores.secrets import SecretStore, secret_or_create

READ_MODEL_KEY_REF = SecretRef(ref="local:billbridge/read-model-key")
ModelT = TypeVar("ModelT", bound=BaseModel)


def read_model_key(store: SecretStore) -> bytes:
    encoded = secret_or_create(
        store,
        READ_MODEL_KEY_REF,
        lambda: base64.b64encode(AESGCM.generate_key(bit_length=256)).decode(),
    )
    key = base64.b64decode(encoded)
    if len(key) != 32:
        raise ValueError("the read model's key must be 32 bytes")
    return key


class RowSealer:
    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(key)
        # A key of its own for the index hashes, derived so one secret serves both.
        self._index_key = hmac.new(key, b"billbridge read-model index", hashlib.sha256).digest()

    def seal(self, model: BaseModel, table: str, row_id: str) -> bytes:
        return seal(self._cipher, model.model_dump_json().encode(), f"{table}:{row_id}".encode())

    def unseal(self, blob: bytes, table: str, row_id: str, model_type: type[ModelT]) -> ModelT:
        plain = unseal(self._cipher, blob, f"{table}:{row_id}".encode())
        return model_type.model_validate_json(plain)

    def source_key(self, connection_id: str, kind: str, identifier: str) -> str:
        message = f"{connection_id}\x00{kind}\x00{identifier}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()
