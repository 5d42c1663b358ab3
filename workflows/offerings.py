"""The first step of every long-running process: is it offered on this portal at all?"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.offerings import OfferingActivities
    from models.offerings import OfferCheck, Process
    from workflows.policies import BROWSER_RETRY


async def require_offered(connection_id: str, process: Process) -> None:
    """NotOffered (non-retryable, naming the portal) before a session is even asked for."""
    await workflow.execute_activity_method(
        OfferingActivities.check_offered,
        OfferCheck(connection_id=connection_id, process=process),
        start_to_close_timeout=timedelta(seconds=30),
        retry_policy=BROWSER_RETRY,
    )
