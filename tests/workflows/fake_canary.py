"""The canary's browser walk replaced by a scripted one under the real activity name, for
ConnectionCanaryWorkflow's tests; its verdicts are kept by the real activity on a file."""

from __future__ import annotations

from collections import deque

from temporalio import activity

from models.canary import CanaryObservation, CanaryStatus, CanaryStep, CanaryWalk
from models.errors import SessionExpired
from models.maintenance import PortalMaintenance

HEALTHY = CanaryObservation(status=CanaryStatus.OK, statement_walked=True)
NO_PAY_BUTTON = CanaryObservation(
    status=CanaryStatus.DRIFT,
    step=CanaryStep.PAY_FORM,
    message="pay_form: the form has no submit button",
    screenshot_key="failures/canary-x/1-1.png",
    trace_key="failures/canary-x/1-1.trace.zip",
    statement_walked=True,
)


class FakeCanaryWalk:
    def __init__(self) -> None:
        # What the next walks see, in order; the last one is seen again once they run out.
        self.script: deque[CanaryObservation | PortalMaintenance | Exception] = deque([HEALTHY])
        self.walks = 0

    @activity.defn(name="walk_portal")
    async def walk_portal(self, walk: CanaryWalk) -> CanaryObservation | PortalMaintenance:
        self.walks += 1
        seen = self.script.popleft() if len(self.script) > 1 else self.script[0]
        if isinstance(seen, Exception):
            raise seen
        return seen

    def expire_once_then(self, seen: CanaryObservation) -> None:
        self.script = deque([SessionExpired("signed_in: the portal signed the session out"), seen])
