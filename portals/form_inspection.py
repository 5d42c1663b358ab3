"""Looking at a form the way a submit would use it, without filling or submitting it.

Shared by the vendors' ``inspect_payment_form`` (the canary's read-only walk): every control
a payment fills must be there, and the button that would send it must be visible. What is
missing becomes ``PortalChanged`` naming the control, at once (``is_visible`` and ``count``
do not wait), so a changed form is reported in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

from playwright.async_api import Locator

from models.errors import PortalChanged
from portals.navigation import errors_mapped


async def require_controls(
    step: str,
    visible: Mapping[str, Locator],
    present: Mapping[str, Locator] | None = None,
) -> None:
    """PortalChanged naming the first control the form lacks.

    ``present`` holds controls that only have to exist (radios a redesign may draw as styled
    labels over hidden inputs); ``visible`` those a person, and the adapter, must see.
    """
    missing: str | None = None
    async with errors_mapped(step):
        for name, control in visible.items():
            if not await control.first.is_visible():
                missing = name
                break
        else:
            for name, control in (present or {}).items():
                if await control.count() == 0:
                    missing = name
                    break
    if missing is not None:
        raise PortalChanged(f"{step}: the form has no {missing}")
