"""Cedar's maintenance page: "Cedar Pay is down for scheduled maintenance. We'll be back at
Dec 3, 2026 02:10 AM UTC." (HTTP 503 with Retry-After)."""

from __future__ import annotations

import re
from datetime import datetime

from portals.cedar import parsing
from portals.maintenance import MaintenanceNotice


def _end(text: str) -> datetime:
    return parsing.timestamp(text, "maintenance end")


MAINTENANCE_NOTICE = MaintenanceNotice(
    marker="down for scheduled maintenance",
    ends=re.compile(r"back at (\w{3} \d{1,2}, \d{4} \d{2}:\d{2} [AP]M UTC)"),
    parse_end=_end,
)
