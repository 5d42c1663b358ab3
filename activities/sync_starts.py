"""Starting a connection's sync and keeping its Schedule, with the Temporal client.

Used by the API (a new connection gets its Schedule; ``?refresh=true`` starts a sync) and
by the event activity (every write outcome refreshes the read model). A sync is started
with ``USE_EXISTING``: a sync already running for the connection is joined, never doubled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    WorkflowHandle,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from models.connection_sync import (
    SYNC_WORKFLOW,
    SyncConnectionRequest,
    sync_schedule_id,
    sync_workflow_id,
)
from models.events import Event, EventType

# The events that say a write reached a portal: what the portal shows has changed.
WRITE_OUTCOMES = frozenset(
    {
        EventType.PAYMENT_POSTED,
        EventType.PAYMENT_FAILED,
        EventType.REFUND_COMPLETED,
        EventType.DEPOSIT_APPLIED,
        EventType.PLAN_INSTALLMENT_FAILED,
        EventType.PLAN_DELINQUENT,
    }
)


async def start_sync(
    client: Client, task_queue: str, connection_id: str, *, session_wait_seconds: int
) -> WorkflowHandle[Any, Any]:
    """Start the connection's sync, or join the one running (the same handle)."""
    return await client.start_workflow(
        SYNC_WORKFLOW,
        SyncConnectionRequest(
            connection_id=connection_id, session_wait_seconds=session_wait_seconds
        ),
        id=sync_workflow_id(connection_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        static_summary=f"read-model sync of connection {connection_id}",
    )


async def ensure_sync_schedule(
    client: Client,
    task_queue: str,
    connection_id: str,
    *,
    interval: timedelta,
    session_wait_seconds: int,
) -> bool:
    """Create the connection's sync Schedule; False when it exists already (kept as is)."""
    action = ScheduleActionStartWorkflow(
        SYNC_WORKFLOW,
        SyncConnectionRequest(
            connection_id=connection_id, session_wait_seconds=session_wait_seconds
        ),
        id=sync_workflow_id(connection_id),
        task_queue=task_queue,
    )
    schedule = Schedule(
        action=action,
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=interval)]),
        # A sync still running when the next is due (a slow portal, a login waiting for a
        # person): the due one is skipped, not queued behind it.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    try:
        await client.create_schedule(sync_schedule_id(connection_id), schedule)
    except ScheduleAlreadyRunningError:
        return False
    return True


class ReadModelRefresh:
    """After a write outcome, start the connection's sync (or join the running one)."""

    def __init__(
        self,
        client: Client,
        task_queue: str,
        synced_connection: Callable[[str], bool],
        *,
        session_wait_seconds: int,
    ) -> None:
        self._client = client
        self._task_queue = task_queue
        self._synced_connection = synced_connection
        self._session_wait_seconds = session_wait_seconds

    async def after(self, event: Event) -> bool:
        """True when the event started (or joined) a sync."""
        if event.type not in WRITE_OUTCOMES or event.connection_id is None:
            return False
        if not await asyncio.to_thread(self._synced_connection, event.connection_id):
            return False  # a connection made outside the API: nothing of it is synced
        await start_sync(
            self._client, self._task_queue, event.connection_id,
            session_wait_seconds=self._session_wait_seconds,
        )  # fmt: skip
        return True
