"""A one-activity workflow whose activity fails with portal text: to see what the worker's
failure redaction lets through to a real Temporal server (kept apart from the test module,
so the workflow sandbox imports only this)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.errors import PortalChanged
    from security.redaction import redactor


@activity.defn(name="guard_probe_read_heading")
async def read_heading(name: str) -> str:
    redactor.remember(name, kind="name")  # as an adapter does when it parses a name
    raise PortalChanged(f"account: the heading reads 'Account of {name}'")


@workflow.defn(name="GuardProbeHeading")
class HeadingWorkflow:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(
            read_heading,
            name,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(maximum_attempts=1),
        )
