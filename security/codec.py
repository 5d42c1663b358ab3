"""The payload codec: every Temporal payload sealed with AES-256-GCM before it leaves us.

Workflow inputs, results, activity arguments, signals, updates, queries and failure details
(message and stack trace, through the failure converter's encoded attributes) reach the
Temporal server, its database and its UI as ciphertext. The key id travels in the payload's
metadata, so a history written under an old key stays readable after a rotation.

Decoding is strict: a payload that is not ours, or whose key is not loaded, raises. Nothing
ever falls back to plain text, because a silent fallback is how PHI ends up in a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from stores.keyring import Keyring
from stores.sealing import seal, unseal

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"


class UndecryptablePayload(Exception):
    """A payload we cannot open: not encrypted, unknown key, or tampered with."""


class EncryptionCodec(PayloadCodec):
    def __init__(self, keyring: Keyring) -> None:
        self._active = keyring.active
        self._ciphers = {key_id: AESGCM(keyring.key(key_id)) for key_id in keyring.keys}

    @property
    def active_key_id(self) -> str:
        return self._active

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(payload) for payload in payloads]

    async def decode_for_reading(self, payloads: Sequence[Payload]) -> list[Payload]:
        """What the codec server shows the UI and CLI: the encrypted payloads decrypted, and
        those Temporal writes itself in plain JSON as they are. ``workflow.patched`` records
        its patch id that way (a marker, the TemporalChangeVersion search attribute), past
        any codec; refusing them, as ``decode`` does for a worker, made ``temporal workflow
        show`` fail on every patched workflow. They were readable already: nothing opens."""
        return [
            self.decrypt(payload) if payload.metadata.get("encoding") == ENCODING else payload
            for payload in payloads
        ]

    def encrypt(self, payload: Payload) -> Payload:
        key_id = self._active.encode()
        # The whole payload, metadata included, is sealed; the key id is bound as associated
        # data so it cannot be swapped for another key's id.
        sealed = seal(self._ciphers[self._active], payload.SerializeToString(), key_id)
        return Payload(metadata={"encoding": ENCODING, KEY_ID_METADATA: key_id}, data=sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            raise UndecryptablePayload(
                "refusing a payload that is not encrypted (encoding "
                f"{payload.metadata.get('encoding', b'').decode(errors='replace')!r})"
            )
        key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UndecryptablePayload(
                f"payload was encrypted with key {key_id!r}, which is not in this keyring "
                f"(loaded: {', '.join(sorted(self._ciphers))})"
            )
        try:
            plain = unseal(cipher, payload.data, key_id.encode())
        except InvalidTag:
            raise UndecryptablePayload(
                f"payload does not decrypt with key {key_id!r}: wrong key or tampered data"
            ) from None
        return Payload.FromString(plain)


def encrypted_data_converter(keyring: Keyring) -> DataConverter:
    """Pydantic payloads, sealed by the codec; failure messages and traces sealed too."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
