"""Waiting out a portal's maintenance window on a durable timer, shown in the Temporal UI.

A step that met the window (an activity that returned ``PortalMaintenance``, see
``activities/maintenance.py``) is not failed nor retried in a loop: the workflow sleeps
until the portal said it would be back, with its current details saying so, then runs
the step again. No worker slot, browser or retry budget is held meanwhile.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.errors import PortalInMaintenance
    from models.maintenance import PortalMaintenance
    from workflows.policies import (
        MAINTENANCE_GRACE,
        MAINTENANCE_LONGEST_WAIT,
        MAINTENANCE_SHORTEST_WAIT,
    )

# The timer is a command the workflows did not issue before: recorded as a patch marker.
MAINTENANCE_PATCH = "wait-out-portal-maintenance"


def maintenance_wait(maintenance: PortalMaintenance) -> timedelta:
    """How long to sleep: relative to the portal's answer (its Retry-After), not to its
    stated end, so a portal whose clock differs from ours is still waited out right."""
    asked = timedelta(seconds=maintenance.retry_after_seconds) + MAINTENANCE_GRACE
    return min(max(asked, MAINTENANCE_SHORTEST_WAIT), MAINTENANCE_LONGEST_WAIT)


async def wait_out(maintenance: PortalMaintenance, *, waiting: str = "") -> None:
    """Sleep through the window; the current details say why (``waiting``: who else waits)."""
    if not workflow.patched(MAINTENANCE_PATCH):
        # Only a history recorded before this code could lack the marker here, and none of
        # those holds a PortalMaintenance result: fail as the step itself would have.
        raise PortalInMaintenance(maintenance.describe(), maintenance)
    shown = maintenance.describe()
    previous = workflow.get_current_details()
    workflow.set_current_details(f"{shown}{waiting}")
    workflow.logger.info("portal in maintenance; waiting for it to end")
    await workflow.sleep(maintenance_wait(maintenance), summary=shown)
    workflow.set_current_details(previous)
