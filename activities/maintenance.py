"""Opting an activity into maintenance windows: the window becomes its result, not a failure.

A browser step that meets the portal's maintenance page (``PortalInMaintenance``, raised by
``portals/navigation.py``) would otherwise fail, be retried with backoff and fill the
workflow's history with failed attempts for as long as the window lasts. Decorated with
``@reports_maintenance`` (under ``@activity.defn``) and annotated to return
``Result | PortalMaintenance``, it completes with ``PortalMaintenance`` instead, and the
workflow waits for the window's end on a durable timer (``SessionLeases.run``,
``workflows/maintenance.py``). See docs/batch-windows.md.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from temporalio import activity

from models.errors import PortalInMaintenance
from models.maintenance import PortalMaintenance

P = ParamSpec("P")
T = TypeVar("T")


def reports_maintenance(
    step: Callable[P, Awaitable[T | PortalMaintenance]],
) -> Callable[P, Awaitable[T | PortalMaintenance]]:
    """Return the portal's maintenance window instead of raising it."""
    _check_declares_maintenance(step)

    @functools.wraps(step)
    async def reporting(*args: P.args, **kwargs: P.kwargs) -> T | PortalMaintenance:
        try:
            return await step(*args, **kwargs)
        except PortalInMaintenance as err:
            if err.maintenance is None:
                raise
            activity.logger.info("portal in maintenance; the workflow waits it out")
            return err.maintenance

    return reporting


def _check_declares_maintenance(step: Callable[..., object]) -> None:
    """Temporal decodes the result by the return annotation: without PortalMaintenance in it,
    the workflow could not read the window (checked at import, not in the middle of a night)."""
    returned = typing.get_type_hints(step).get("return")
    if PortalMaintenance not in typing.get_args(returned):
        raise TypeError(
            f"{step.__qualname__} is @reports_maintenance but does not return "
            "'... | PortalMaintenance'"
        )
