"""A portal's maintenance window, as a step that met it reports it to its workflow.

A session-bound activity that finds the portal in maintenance returns ``PortalMaintenance``
instead of its usual result (``Statement | PortalMaintenance``), so the activity completes
and the workflow waits on a durable timer: no failed attempt, no retry storm.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PortalMaintenance(BaseModel):
    """The portal answered its maintenance page.

    ``until`` is the end as the portal states it (shown to people); ``retry_after_seconds``
    is how long the portal asked us to stay away, counted from its answer. The workflow
    sleeps on the relative one: it holds whatever the skew between our clock and the portal's.
    """

    until: datetime
    retry_after_seconds: float = Field(ge=0)

    def describe(self) -> str:
        """What the Temporal UI's current details say while a workflow waits it out."""
        return f"portal in maintenance until {self.until:%H:%M} UTC"
