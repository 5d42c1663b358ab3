"""The connections file: which portal login each connection id stands for."""

from __future__ import annotations

from pathlib import Path

from pydantic import TypeAdapter

from activities.private_files import write_private
from models.connections import Connection
from models.errors import ConnectionNotFound

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
