"""The connections file: which portal login each connection id stands for."""

from __future__ import annotations

from pathlib import Path

from pydantic import TypeAdapter

from models.connections import Connection, PortalName, SecretRef
from models.errors import ConnectionNotFound
from models.settings import Settings
from stores.private_files import write_private
from stores.secrets import open_secret_store

_CONNECTIONS = TypeAdapter(dict[str, Connection])


class ConnectionRegistry:
    def __init__(self, path: Path) -> None:
        self._path = path

    def all(self) -> dict[str, Connection]:
        if not self._path.exists():
            return {}
        return _CONNECTIONS.validate_json(self._path.read_bytes())

    def get(self, connection_id: str) -> Connection:
        # Read on every use so a connection added by the CLI is seen without a worker restart.
        try:
            return self.all()[connection_id]
        except KeyError:
            raise ConnectionNotFound(f"no connection named '{connection_id}'") from None

    def save(self, connection: Connection) -> None:
        connections = self.all()
        connections[connection.id] = connection
        write_private(self._path, _CONNECTIONS.dump_json(connections, indent=2))


def save_connection(
    settings: Settings,
    *,
    connection_id: str,
    portal: PortalName,
    base_url: str,
    username: str,
    password: str,
    totp_secret: str | None = None,
    secret_store: str = "local",
) -> Connection:
    """Store the secrets in ``secret_store`` and the connection, by reference, beside."""
    secrets = open_secret_store(settings)
    # One IAM policy on billbridge/* covers every secret BillBridge keeps in AWS.
    prefix = f"{secret_store}:{'billbridge/' if secret_store == 'aws-sm' else ''}{connection_id}"
    password_ref = SecretRef(ref=f"{prefix}/password")
    secrets.put(password_ref, password)
    totp_ref = None
    if totp_secret is not None:
        totp_ref = SecretRef(ref=f"{prefix}/totp")
        secrets.put(totp_ref, totp_secret)
    connection = Connection(
        id=connection_id,
        portal=portal,
        base_url=base_url,
        username=username,
        password_ref=password_ref,
        totp_secret_ref=totp_ref,
    )
    ConnectionRegistry(settings.connections_file).save(connection)
    return connection


def set_settlement_sftp(
    settings: Settings, connection_id: str, login_json: str, *, secret_store: str = "local"
) -> Connection:
    """Keep a connection's SFTP login for settlement files (a JSON SftpLogin: host, port,
    username, password, host-key fingerprint, folder) as one secret; the connection holds
    only its reference."""
    registry = ConnectionRegistry(settings.connections_file)
    connection = registry.get(connection_id)
    prefix = f"{secret_store}:{'billbridge/' if secret_store == 'aws-sm' else ''}{connection_id}"
    ref = SecretRef(ref=f"{prefix}/settlement-sftp")
    open_secret_store(settings).put(ref, login_json)
    updated = connection.model_copy(update={"settlement_sftp_ref": ref})
    registry.save(updated)
    return updated


def replace_credentials(
    settings: Settings,
    connection_id: str,
    *,
    password: str,
    username: str | None = None,
    totp_secret: str | None = None,
) -> Connection:
    """New credentials for a known connection, under its existing secret references (so
    they stay in the store they were put in); a first TOTP secret goes beside the password."""
    registry = ConnectionRegistry(settings.connections_file)
    connection = registry.get(connection_id)
    secrets = open_secret_store(settings)
    secrets.put(connection.password_ref, password)
    totp_ref = connection.totp_secret_ref
    if totp_secret is not None:
        if totp_ref is None:
            prefix = connection.password_ref.ref.removesuffix("/password")
            totp_ref = SecretRef(ref=f"{prefix}/totp")
        secrets.put(totp_ref, totp_secret)
    updated = connection.model_copy(
        update={"username": username or connection.username, "totp_secret_ref": totp_ref}
    )
    registry.save(updated)
    return updated
