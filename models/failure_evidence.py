"""What the browser saw when a portal changed under an activity: the artifact keys of the
failing attempt's screenshot and Playwright trace (both sealed by the artifact store).

``PortalSessions`` puts them in ``PortalChanged``'s details as ``{"screenshot": key,
"trace": key}``; that wire shape is read by the operator hold, the canary, the audit pack,
and carried (as this model) in the session workflow's reply, so a payment or a canary whose
session's sign-in met the changed page gets the same evidence as one whose own step did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

# The detail's keys: recorded histories and failures already carry them, never rename.
SCREENSHOT = "screenshot"
TRACE = "trace"


class FailureEvidence(BaseModel):
    screenshot_key: str | None = None
    trace_key: str | None = None

    @classmethod
    def from_details(cls, details: Iterable[Any] | None) -> FailureEvidence:
        """The keys in a failure's details (the first dict among them), or none."""
        for detail in details or ():
            if isinstance(detail, dict):
                found: dict[str, Any] = detail
                return cls(
                    screenshot_key=_key(found.get(SCREENSHOT)), trace_key=_key(found.get(TRACE))
                )
        return cls()

    def kept(self) -> bool:
        return self.screenshot_key is not None or self.trace_key is not None

    def as_details(self) -> dict[str, str | None]:
        """The failure detail naming them: ``PortalChanged(message, evidence.as_details())``."""
        return {SCREENSHOT: self.screenshot_key, TRACE: self.trace_key}


def _key(value: object) -> str | None:
    return value if isinstance(value, str) else None
