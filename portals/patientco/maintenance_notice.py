"""Patientco's maintenance page: "System maintenance in progress … Available again
12/03/2026 03:42 UTC" (HTTP 503 with Retry-After)."""

from __future__ import annotations

import re
from datetime import datetime

from portals.maintenance import MaintenanceNotice
from portals.patientco import parsing


def _end(text: str) -> datetime:
    return parsing.timestamp(text, "maintenance end")


MAINTENANCE_NOTICE = MaintenanceNotice(
    marker="system maintenance in progress",
    ends=re.compile(r"Available again (\d{2}/\d{2}/\d{4} \d{2}:\d{2} UTC)"),
    parse_end=_end,
)
