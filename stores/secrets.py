"""Secret stores: credentials are fetched by reference inside activities, never carried.

A reference names its store by scheme: ``local:<name>`` is the encrypted local file
(stores/secret_file.py, always there), ``aws-sm:<name>`` is AWS Secrets Manager
(stores/aws_secrets.py, when Settings turn it on). Workflow data holds only the
references; the values exist only inside the activity that uses them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from models.connections import Connection, Credentials, SecretRef
from models.errors import SecretNotFound, SecretStoreUnreadable
from models.settings import Settings
from stores.aws_secrets import AwsSecretsManager
from stores.secret_file import MASTER_KEY_ENV, LocalSecretFile, decode_master_key

__all__ = [
    "AwsSecretsManager",
    "LocalSecretFile",
    "SecretStore",
    "SecretStoresByScheme",
    "open_secret_store",
    "resolve_credentials",
    "secret_or_create",
]


class SecretStore(Protocol):
    def get(self, ref: SecretRef) -> str: ...

    def put(self, ref: SecretRef, value: str) -> None: ...


@runtime_checkable
class CreatesOnce(Protocol):
    """A store that can check-and-create in one step (a lock, or an atomic create call)."""

    def get_or_create(self, ref: SecretRef, make: Callable[[], str]) -> str: ...


class SecretStoresByScheme:
    """One SecretStore over several: each reference goes to the store its scheme names."""

    def __init__(self, stores: Mapping[str, SecretStore]) -> None:
        self._stores = dict(stores)

    @property
    def schemes(self) -> list[str]:
        return sorted(self._stores)

    def store_for(self, ref: SecretRef) -> SecretStore:
        scheme = ref.ref.partition(":")[0]
        try:
            return self._stores[scheme]
        except KeyError:
            raise SecretStoreUnreadable(
                f"secret store '{scheme}' is not configured (have: {', '.join(self.schemes)})"
            ) from None

    def get(self, ref: SecretRef) -> str:
        return self.store_for(ref).get(ref)

    def put(self, ref: SecretRef, value: str) -> None:
        self.store_for(ref).put(ref, value)

    def get_or_create(self, ref: SecretRef, make: Callable[[], str]) -> str:
        return secret_or_create(self.store_for(ref), ref, make)


def open_secret_store(settings: Settings) -> SecretStoresByScheme:
    """The secret stores this process uses (the composition roots call this once)."""
    master_key = None
    if settings.master_key is not None:
        master_key = decode_master_key(settings.master_key.get_secret_value(), MASTER_KEY_ENV)
    stores: dict[str, SecretStore] = {
        LocalSecretFile.scheme: LocalSecretFile(
            settings.secrets_file, master_key=master_key, key_file=settings.master_key_file
        )
    }
    if settings.aws_secrets_manager:
        from stores.aws import aws_client

        stores[AwsSecretsManager.scheme] = AwsSecretsManager(aws_client(settings, "secretsmanager"))
    return SecretStoresByScheme(stores)


def secret_or_create(store: SecretStore, ref: SecretRef, make: Callable[[], str]) -> str:
    """The secret under ``ref``; made and stored once, even when processes race for it."""
    if isinstance(store, CreatesOnce):
        return store.get_or_create(ref, make)
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
