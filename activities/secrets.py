"""Secret stores: credentials are fetched by reference inside activities, never carried.

The local store is a JSON file with owner-only permissions, kept outside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from activities.private_files import write_private
from models.connections import Connection, Credentials, SecretRef
from models.errors import SecretNotFound
from models.settings import Settings


class SecretStore(Protocol):
    def get(self, ref: SecretRef) -> str: ...

    def put(self, ref: SecretRef, value: str) -> None: ...


class LocalSecretFile:
    """``local:<name>`` references resolved from a 0600 JSON file."""

    scheme = "local"

    def __init__(self, path: Path) -> None:
        self._path = path

    def _load(self) -> dict[str, str]:
        if not self._path.exists():
            return {}
        data: dict[str, str] = json.loads(self._path.read_text())
        return data

    def _name(self, ref: SecretRef) -> str:
        scheme, _, name = ref.ref.partition(":")
        if scheme != self.scheme:
            raise SecretNotFound(f"secret store '{scheme}' is not configured")
        return name

    def get(self, ref: SecretRef) -> str:
        try:
            return self._load()[self._name(ref)]
        except KeyError:
            # The reference is not secret; its value is.
            raise SecretNotFound(f"no secret stored under {ref}") from None

    def put(self, ref: SecretRef, value: str) -> None:
        name = self._name(ref)
        data = self._load()
        data[name] = value
        write_private(self._path, json.dumps(data, indent=2).encode())


def open_secret_store(settings: Settings) -> SecretStore:
    """The secret store this process uses (the composition roots call this once)."""
    return LocalSecretFile(settings.secrets_file)


def secret_or_create(store: SecretStore, ref: SecretRef, make: Callable[[], str]) -> str:
    """The secret under ``ref``; made and stored by the first caller when there is none."""
    try:
        return store.get(ref)
    except SecretNotFound:
        value = make()
        store.put(ref, value)
        return value


def resolve_credentials(connection: Connection, store: SecretStore) -> Credentials:
    totp = store.get(connection.totp_secret_ref) if connection.totp_secret_ref else None
    return Credentials.model_validate(
        {
            "username": connection.username,
            "password": store.get(connection.password_ref),
            "totp_secret": totp,
        }
    )
