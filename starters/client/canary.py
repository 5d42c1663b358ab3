"""The connection canary for the client: one run now, or a Schedule per connection.

The Schedule's id is ``canary-<connection>`` (``models.canary``); creating it again updates
its interval. Its runs' workflow ids start with that id (Temporal appends each run's time); a
run by hand is ``canary-<connection>-<random>``. A run still going when the next is due is
skipped (overlap SKIP): canaries never pile up behind a slow portal.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleHandle,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
    WorkflowHandle,
)

from models.canary import CanaryRequest, CanaryResult, canary_schedule_id, canary_workflow_id
from models.errors import InvalidInput
from models.identifiers import refuse_personal_data_in_id
from workflows.canary import ConnectionCanaryWorkflow

MIN_INTERVAL = timedelta(minutes=1)


def canary_schedule(connection_id: str, every: timedelta, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            ConnectionCanaryWorkflow.run,
            CanaryRequest(connection_id=connection_id),
            id=canary_schedule_id(connection_id),
            task_queue=task_queue,
            static_summary=f"canary of connection {connection_id}",
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def create_or_update_schedule(
    client: Client, connection_id: str, every: timedelta, task_queue: str
) -> tuple[ScheduleHandle, bool]:
    """The connection's canary Schedule and whether it was created (False: updated)."""
    refuse_personal_data_in_id(connection_id, "connection_id")
    if every < MIN_INTERVAL:
        raise InvalidInput(f"a canary runs at most every {MIN_INTERVAL}")
    schedule = canary_schedule(connection_id, every, task_queue)
    try:
        return await client.create_schedule(canary_schedule_id(connection_id), schedule), True
    except ScheduleAlreadyRunningError:
        handle = client.get_schedule_handle(canary_schedule_id(connection_id))

        def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await handle.update(replace)
        return handle, False


async def delete_schedule(client: Client, connection_id: str) -> None:
    refuse_personal_data_in_id(connection_id, "connection_id")
    await client.get_schedule_handle(canary_schedule_id(connection_id)).delete()


async def start_once(
    client: Client, connection_id: str, task_queue: str
) -> WorkflowHandle[ConnectionCanaryWorkflow, CanaryResult]:
    """Start a walk of the connection's portal now; its handle's result is the verdict."""
    refuse_personal_data_in_id(connection_id, "connection_id")
    return await client.start_workflow(
        ConnectionCanaryWorkflow.run,
        CanaryRequest(connection_id=connection_id),
        id=canary_workflow_id(connection_id, uuid.uuid4().hex[:12]),
        task_queue=task_queue,
        static_summary=f"canary of connection {connection_id}",
    )
