"""Browser session state (cookies, local storage) encrypted at rest with AES-256-GCM.

Portal cookies are bearer credentials: a readable state file is a signed-in patient
account. Each state is sealed with a 96-bit random nonce and the connection id as
associated data, so a file cannot be swapped onto another connection unnoticed.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr

from models.connections import SecretRef
from models.errors import SessionExpired
from stores.private_files import write_private
from stores.sealing import seal, unseal
from stores.secrets import SecretStore, secret_or_create

SESSION_KEY_ENV = "BILLBRIDGE_SESSION_KEY"
SESSION_KEY_REF = SecretRef(ref="local:billbridge/session-state-key")


def session_key(store: SecretStore, injected: SecretStr | None = None) -> bytes:
    """The injected key (``Settings.session_key``, from BILLBRIDGE_SESSION_KEY, base64), else
    the secret file's (made once)."""
    encoded = injected.get_secret_value() if injected is not None else None
    if encoded is None:
        # Made once even when a worker and the CLI start together on a new home.
        encoded = secret_or_create(
            store,
            SESSION_KEY_REF,
            lambda: base64.b64encode(AESGCM.generate_key(bit_length=256)).decode(),
        )
    key = base64.b64decode(encoded)
    if len(key) != 32:
        raise ValueError(f"{SESSION_KEY_ENV} must be 32 bytes, base64-encoded")
    return key


class SessionStateStore:
    def __init__(self, root: Path, key: bytes) -> None:
        self._root = root
        self._aead = AESGCM(key)

    def save(self, connection_id: str, state: dict[str, Any]) -> str:
        """Seal a Playwright storage state; returns its reference (a file name, no secret)."""
        state_id = f"{connection_id}/{secrets.token_hex(8)}"
        sealed = seal(self._aead, json.dumps(state).encode(), connection_id.encode())
        write_private(self._root / f"{state_id}.bin", sealed)
        return state_id

    def load(self, connection_id: str, state_id: str) -> dict[str, Any]:
        path = self._root / f"{state_id}.bin"
        if not state_id.startswith(f"{connection_id}/") or not path.is_file():
            raise SessionExpired(f"session state {state_id} is gone; sign in again")
        try:
            plain = unseal(self._aead, path.read_bytes(), connection_id.encode())
        except InvalidTag:
            raise SessionExpired(f"session state {state_id} cannot be decrypted") from None
        state: dict[str, Any] = json.loads(plain)
        return state

    def discard(self, connection_id: str, state_id: str) -> None:
        if state_id.startswith(f"{connection_id}/"):
            (self._root / f"{state_id}.bin").unlink(missing_ok=True)
