"""Which tenant each connection belongs to, in the read model; looked up within a tenant
only, so another tenant's connection is simply not found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.orm import Session

from models.api_connections import ConnectionRecord
from models.connections import PortalName
from models.pages import Page, PageRequest
from stores.read_model.paging import page_rows
from stores.read_model.tables import ConnectionRow, TenantRow


class TenantConnectionNotFound(LookupError):
    """No connection with that id in that tenant."""


def _record(row: ConnectionRow) -> ConnectionRecord:
    return ConnectionRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        portal=PortalName(row.portal),
        base_url=row.base_url,
        created_at=row.created_at,
        synced_at=row.synced_at,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def holds_tenants(engine: Engine) -> bool:
    """False for a database no API ever migrated (a CLI-only set-up): no tenant owns
    anything there, and the worker's writers have nothing to write."""
    return inspect(engine).has_table(ConnectionRow.__tablename__)


class TenantConnections:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock

    def add(
        self, tenant_id: str, connection_id: str, portal: PortalName, base_url: str
    ) -> ConnectionRecord:
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            if session.scalar(select(TenantRow).where(TenantRow.id == tenant_id)) is None:
                session.add(TenantRow(id=tenant_id, created_at=now))
                session.flush()
            row = ConnectionRow(
                id=connection_id,
                tenant_id=tenant_id,
                portal=portal.value,
                base_url=base_url,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return _record(row)

    def remove(self, tenant_id: str, connection_id: str) -> None:
        """Undo an ``add`` whose secrets could not be stored."""
        with Session(self._engine) as session, session.begin():
            session.execute(
                delete(ConnectionRow).where(
                    ConnectionRow.id == connection_id, ConnectionRow.tenant_id == tenant_id
                )
            )

    def get(self, tenant_id: str, connection_id: str) -> ConnectionRecord:
        with Session(self._engine) as session:
            row = session.scalar(
                select(ConnectionRow).where(
                    ConnectionRow.id == connection_id, ConnectionRow.tenant_id == tenant_id
                )
            )
            if row is None:
                raise TenantConnectionNotFound(connection_id)
            return _record(row)

    def tenant_of(self, connection_id: str) -> str | None:
        """The connection's tenant; None for a connection the read model does not hold
        (one made by the CLI belongs to no tenant)."""
        if not holds_tenants(self._engine):
            return None
        with Session(self._engine) as session:
            found: str | None = session.scalar(
                select(ConnectionRow.tenant_id).where(ConnectionRow.id == connection_id)
            )
            return found

    def all_ids(self) -> list[str]:
        with Session(self._engine) as session:
            return list(session.scalars(select(ConnectionRow.id).order_by(ConnectionRow.seq)))

    def ids_of(self, tenant_id: str) -> list[str]:
        with Session(self._engine) as session:
            query = select(ConnectionRow.id).where(ConnectionRow.tenant_id == tenant_id)
            return list(session.scalars(query.order_by(ConnectionRow.seq)))

    def mark_synced(self, connection_id: str, synced_at: datetime) -> None:
        with Session(self._engine) as session, session.begin():
            row = session.scalar(select(ConnectionRow).where(ConnectionRow.id == connection_id))
            if row is None:
                raise TenantConnectionNotFound(connection_id)
            row.synced_at = synced_at

    def list(self, tenant_id: str, request: PageRequest) -> Page[ConnectionRecord]:
        with Session(self._engine) as session:
            query = select(ConnectionRow).where(ConnectionRow.tenant_id == tenant_id)
            rows, has_more = page_rows(session, query, ConnectionRow, request)
            return Page[ConnectionRecord](data=[_record(r) for r in rows], has_more=has_more)
