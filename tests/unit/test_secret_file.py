"""The encrypted local secret file: nothing in the clear, loud key errors, one value per race."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from models.connections import SecretRef
from models.errors import SecretNotFound, SecretStoreUnreadable
from models.settings import Settings
from stores.secret_file import LocalSecretFile
from stores.secrets import open_secret_store, secret_or_create
from stores.session_store import SESSION_KEY_REF, session_key

PASSWORD = "correct-horse-battery-staple"
TOTP = "JBSWY3DPEHPK3PXP"


def _clear_forms(value: str) -> list[bytes]:
    # The value itself, and the encodings a careless format might use to "hide" it.
    raw = value.encode()
    return [raw, base64.b64encode(raw), raw.hex().encode(), json.dumps(value).encode()]


def test_the_file_holds_no_secret_and_no_name_in_the_clear(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    store = LocalSecretFile(path)
    store.put(SecretRef(ref="local:demo-cedar/password"), PASSWORD)
    store.put(SecretRef(ref="local:demo-cedar/totp"), TOTP)

    raw = path.read_bytes()
    for value in (PASSWORD, TOTP):
        for form in _clear_forms(value):
            assert form not in raw
    assert b"demo-cedar" not in raw
    assert json.loads(raw)["format"] == "billbridge-secrets/1"
    for made in (path, tmp_path / "master.key"):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    # A second store over the same files (another process) reads the same values.
    assert LocalSecretFile(path).get(SecretRef(ref="local:demo-cedar/totp")) == TOTP


def test_a_missing_or_wrong_master_key_fails_loudly_and_never_starts_over(
    tmp_path: Path,
) -> None:
    path = tmp_path / "secrets.json"
    ref = SecretRef(ref="local:c/password")
    LocalSecretFile(path).put(ref, PASSWORD)
    sealed = path.read_bytes()

    with pytest.raises(SecretStoreUnreadable, match="sealed with master key") as wrong:
        LocalSecretFile(path, master_key=bytes(32)).get(ref)
    (tmp_path / "master.key").unlink()
    with pytest.raises(SecretStoreUnreadable, match="master key is missing") as missing:
        LocalSecretFile(path).get(ref)
    # secret_or_create must not take "unreadable" for "absent" and overwrite the file.
    with pytest.raises(SecretStoreUnreadable):
        secret_or_create(LocalSecretFile(path), ref, lambda: "new")
    assert path.read_bytes() == sealed
    assert not (tmp_path / "master.key").exists()
    for err in (wrong.value, missing.value):
        assert PASSWORD not in str(err)


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    store = LocalSecretFile(path)
    store.put(SecretRef(ref="local:c/password"), PASSWORD)
    document = json.loads(path.read_text())
    sealed = bytearray(base64.b64decode(document["ciphertext"]))
    sealed[0] ^= 1
    document["ciphertext"] = base64.b64encode(sealed).decode()
    path.write_text(json.dumps(document))
    with pytest.raises(SecretStoreUnreadable, match="tampered"):
        store.get(SecretRef(ref="local:c/password"))


def test_a_plaintext_file_from_an_older_version_is_encrypted_in_place(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"c/password": PASSWORD}))

    assert LocalSecretFile(path).get(SecretRef(ref="local:c/password")) == PASSWORD
    assert PASSWORD.encode() not in path.read_bytes()
    assert LocalSecretFile(path).get(SecretRef(ref="local:c/password")) == PASSWORD


def test_the_master_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = bytes(range(32))
    monkeypatch.setenv("BILLBRIDGE_MASTER_KEY", base64.b64encode(key).decode())
    store = open_secret_store(Settings(home=tmp_path))
    store.put(SecretRef(ref="local:c/password"), PASSWORD)
    assert not (tmp_path / "master.key").exists()
    assert (
        LocalSecretFile(tmp_path / "secrets.json", master_key=key).get(
            SecretRef(ref="local:c/password")
        )
        == PASSWORD
    )
    monkeypatch.setenv("BILLBRIDGE_MASTER_KEY", "dG9vIHNob3J0")
    with pytest.raises(SecretStoreUnreadable, match="not 32 bytes"):
        open_secret_store(Settings(home=tmp_path))


def test_missing_secrets_and_unknown_stores_are_typed(tmp_path: Path) -> None:
    store = open_secret_store(Settings(home=tmp_path))
    with pytest.raises(SecretNotFound):
        store.get(SecretRef(ref="local:nobody/password"))
    with pytest.raises(SecretStoreUnreadable, match="'aws-sm' is not configured"):
        store.get(SecretRef(ref="aws-sm:billbridge/c/password"))


_RACER = textwrap.dedent(
    """
    import secrets, sys, time
    from pathlib import Path
    from stores.secrets import open_secret_store, secret_or_create
    from stores.session_store import session_key
    from models.connections import SecretRef
    from models.settings import Settings

    home, start = Path(sys.argv[1]), float(sys.argv[2])
    store = open_secret_store(Settings(home=home))
    while time.time() < start:
        pass
    value = secret_or_create(store, SecretRef(ref="local:race/value"), secrets.token_hex)
    print(value, session_key(store).hex())
    """
)


def test_processes_racing_on_a_new_home_make_one_key_and_one_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BILLBRIDGE_MASTER_KEY", raising=False)
    monkeypatch.delenv("BILLBRIDGE_SESSION_KEY", raising=False)
    start = time.time() + 2.0  # every racer is imported and spinning by then
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(tmp_path), str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = {racer.communicate(timeout=60)[0].strip() for racer in racers}
    assert all(racer.returncode == 0 for racer in racers)
    assert len(outputs) == 1, outputs  # one value, one session key, for every process
    value, key_hex = outputs.pop().split()
    store = LocalSecretFile(tmp_path / "secrets.json")
    assert store.get(SecretRef(ref="local:race/value")) == value
    assert session_key(store).hex() == key_hex
    assert store.get(SESSION_KEY_REF)
