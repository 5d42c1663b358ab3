"""The reconciliation process for the client: the operation, its daily Schedule, and the
latest report.

One Schedule per connection (id ``reconcile-<connection>``) starts
ReconcileSettlementsWorkflow every day at the given UTC time; creating it again updates it.
Its runs' workflow ids start with ``reconcile-<connection>-daily`` (Temporal appends the
time of each run), so the latest report is the newest completed run under that prefix or a
``reconcile run`` started by hand.
"""

from __future__ import annotations

from datetime import time

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from models.audit import Actor
from models.identifiers import refuse_personal_data_in_id
from models.reconciliation import (
    ReconcileProgress,
    ReconcileRequest,
    ReconcileResult,
)
from starters.client.operations import Operation
from workflows.reconcile_settlements import ReconcileSettlementsWorkflow

RECONCILIATION: Operation[ReconcileRequest, ReconcileResult, ReconcileProgress] = Operation(
    name="reconcile",
    run=ReconcileSettlementsWorkflow.run,
    progress=ReconcileSettlementsWorkflow.progress,
    request_type=ReconcileRequest,
    summary=lambda request: f"reconcile settlements on connection {request.connection_id}",
)
DAILY_KEY = "daily"  # the scheduled runs' idempotency key: workflow id reconcile-<c>-daily-…


def schedule_id(connection_id: str) -> str:
    return f"reconcile-{connection_id}"


def scheduled_request(connection_id: str, actor: Actor) -> ReconcileRequest:
    return ReconcileRequest(
        connection_id=connection_id, idempotency_key=f"{connection_id}-{DAILY_KEY}",
        requested_by=actor,
    )  # fmt: skip


def daily_schedule(connection_id: str, at: time, task_queue: str, actor: Actor) -> Schedule:
    request = scheduled_request(connection_id, actor)
    request.validate_for_reconciling()
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ReconcileSettlementsWorkflow.run,
            request,
            id=RECONCILIATION.workflow_id(request.idempotency_key),
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(
                    hour=[ScheduleRange(at.hour)],
                    minute=[ScheduleRange(at.minute)],
                    second=[ScheduleRange(0)],
                )
            ]
        ),
        # A day's run still going when the next is due: skip the next, never pile them up.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def create_or_update_schedule(
    client: Client, connection_id: str, at: time, task_queue: str, actor: Actor
) -> tuple[ScheduleHandle, bool]:
    """The connection's daily schedule and whether it was created (False: updated)."""
    refuse_personal_data_in_id(connection_id, "connection_id")
    schedule = daily_schedule(connection_id, at, task_queue, actor)
    try:
        handle = await client.create_schedule(schedule_id(connection_id), schedule)
        return handle, True
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(schedule_id(connection_id))

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await handle.update(replace)
        return handle, False


async def latest_result(
    client: Client, connection_id: str, *, look_back: int = 200
) -> ReconcileResult | None:
    """The newest completed reconciliation of the connection (scheduled or by hand), among
    the ``look_back`` newest completed reconciliations of any connection."""
    refuse_personal_data_in_id(connection_id, "connection_id")
    query = (
        f"WorkflowType = '{ReconcileSettlementsWorkflow.__name__}' "
        "AND ExecutionStatus = 'Completed'"
    )
    found: ReconcileResult | None = None
    async for execution in client.list_workflows(query, limit=look_back):
        handle = client.get_workflow_handle_for(
            ReconcileSettlementsWorkflow.run, execution.id, run_id=execution.run_id
        )
        result = await handle.result()
        if result.summary.connection_id != connection_id:
            continue
        if found is None or result.summary.reconciled_at > found.summary.reconciled_at:
            found = result
    return found
