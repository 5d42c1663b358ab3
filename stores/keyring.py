"""The payload-encryption keys: several loaded at once, one active, each with an id.

New payloads are sealed with the active key; every key stays available for reading, so a
rotation never makes an old history unreadable. The keyring is a secret like any other: it
lives in the secret store (``local:billbridge/codec-keys`` by default, or AWS Secrets
Manager), or comes from ``BILLBRIDGE_CODEC_KEYS`` where a platform injects it.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator

from models.connections import SecretRef
from models.errors import SecretNotFound
from stores.secrets import SecretStore, secret_or_create

CODEC_KEYS_ENV = "BILLBRIDGE_CODEC_KEYS"
CODEC_KEYS_REF = SecretRef(ref="local:billbridge/codec-keys")
_KEY_ID = r"^[A-Za-z0-9_.-]{1,64}$"


class Keyring(BaseModel):
    """Key ids to base64 AES-256 keys, and which one encrypts."""

    active: str = Field(pattern=_KEY_ID)
    keys: dict[str, str]

    @field_validator("keys")
    @classmethod
    def _keys_are_aes_256(cls, keys: dict[str, str]) -> dict[str, str]:
        for key_id, encoded in keys.items():
            if len(base64.b64decode(encoded, validate=True)) != 32:
                # Names the id, never the material.
                raise ValueError(f"key {key_id} is not 32 bytes (AES-256), base64-encoded")
        return keys

    @model_validator(mode="after")
    def _active_is_loaded(self) -> Keyring:
        if self.active not in self.keys:
            raise ValueError(f"active key {self.active} is not in the keyring")
        return self

    def key(self, key_id: str) -> bytes:
        return base64.b64decode(self.keys[key_id])

    def rotated(self) -> Keyring:
        """This keyring plus a new active key; the old keys stay for reading."""
        key_id = _new_key_id()
        return Keyring(active=key_id, keys={**self.keys, key_id: _new_key()})

    def __repr__(self) -> str:  # never print key material, even by accident
        return f"Keyring(active={self.active!r}, key_ids={sorted(self.keys)!r})"

    __str__ = __repr__


def _new_key_id() -> str:
    # Dated, so an operator sees at a glance how old the key of a payload is.
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"


def _new_key() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def new_keyring() -> Keyring:
    key_id = _new_key_id()
    return Keyring(active=key_id, keys={key_id: _new_key()})


def stored_keyring(store: SecretStore, ref: SecretRef) -> Keyring:
    """The keyring kept in the store under ``ref``, made on first use (race-safe)."""
    return Keyring.model_validate_json(
        secret_or_create(store, ref, lambda: new_keyring().model_dump_json())
    )


def rotate_stored_keyring(store: SecretStore, ref: SecretRef) -> Keyring:
    """Add a new active key to the stored keyring; every older key stays for reading."""
    rotated = stored_keyring(store, ref).rotated()
    store.put(ref, rotated.model_dump_json())
    return rotated


def load_keyring(store: SecretStore, injected: SecretStr | None = None) -> Keyring:
    """The payload codec's keyring: the injected one (``Settings.codec_keys``, from
    BILLBRIDGE_CODEC_KEYS) if set, else the store's."""
    if injected is not None and injected.get_secret_value():
        return Keyring.model_validate_json(injected.get_secret_value())
    return stored_keyring(store, CODEC_KEYS_REF)


def rotate_keyring(store: SecretStore, injected: SecretStr | None = None) -> Keyring:
    if injected is not None and injected.get_secret_value():
        raise SecretNotFound(
            f"{CODEC_KEYS_ENV} is set: rotate the keyring where it is injected from"
        )
    return rotate_stored_keyring(store, CODEC_KEYS_REF)
