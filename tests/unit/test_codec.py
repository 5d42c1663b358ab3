"""The payload codec: sealed payloads, key ids, rotation, and no plain-text fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.api.common.v1 import Payload

from security.codec import KEY_ID_METADATA, EncryptionCodec, UndecryptablePayload
from stores.keyring import Keyring, load_keyring, new_keyring, rotate_keyring
from stores.secrets import LocalSecretFile

SECRET = b'{"patient": "Jordan Rivera", "dob": "1984-03-14"}'


def _payload() -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=SECRET)


async def test_payload_is_sealed_with_the_active_key_id() -> None:
    keyring = new_keyring()
    [sealed] = await EncryptionCodec(keyring).encode([_payload()])
    assert SECRET not in sealed.SerializeToString()
    assert b"json/plain" not in sealed.SerializeToString()
    assert sealed.metadata[KEY_ID_METADATA].decode() == keyring.active
    [opened] = await EncryptionCodec(keyring).decode([sealed])
    assert opened == _payload()


async def test_rotation_keeps_old_payloads_readable_and_seals_new_ones_with_the_new_key() -> None:
    old = new_keyring()
    [before] = await EncryptionCodec(old).encode([_payload()])
    rotated = old.rotated()
    assert rotated.active != old.active
    [after] = await EncryptionCodec(rotated).encode([_payload()])
    assert after.metadata[KEY_ID_METADATA].decode() == rotated.active
    assert await EncryptionCodec(rotated).decode([before, after]) == [_payload(), _payload()]


async def test_plain_text_is_refused_never_passed_through() -> None:
    with pytest.raises(UndecryptablePayload, match="not encrypted"):
        await EncryptionCodec(new_keyring()).decode([_payload()])


async def test_unknown_key_and_wrong_key_fail_loudly() -> None:
    [sealed] = await EncryptionCodec(new_keyring()).encode([_payload()])
    with pytest.raises(UndecryptablePayload, match="not in this keyring"):
        await EncryptionCodec(new_keyring()).decode([sealed])
    impostor = new_keyring()
    key_id = sealed.metadata[KEY_ID_METADATA].decode()
    same_id = Keyring(active=key_id, keys={key_id: impostor.keys[impostor.active]})
    with pytest.raises(UndecryptablePayload, match="wrong key or tampered"):
        await EncryptionCodec(same_id).decode([sealed])


async def test_tampered_ciphertext_is_refused() -> None:
    [sealed] = await EncryptionCodec(keyring := new_keyring()).encode([_payload()])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(UndecryptablePayload):
        await EncryptionCodec(keyring).decode([sealed])


def test_keyring_is_made_once_stored_by_reference_and_rotated_in_the_store(tmp_path: Path) -> None:
    store = LocalSecretFile(tmp_path / "secrets.json")
    first = load_keyring(store)
    assert load_keyring(store) == first
    rotated = rotate_keyring(store)
    assert load_keyring(store) == rotated
    assert set(first.keys) < set(rotated.keys)
    assert first.keys[first.active] not in repr(rotated)
