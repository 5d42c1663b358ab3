"""HealthPay24's maintenance page: "HealthPay24 is undergoing routine maintenance until
3 Dec 2026 01:25 UTC." (HTTP 503 with Retry-After)."""

from __future__ import annotations

import re
from datetime import datetime

from portals.healthpay24 import parsing
from portals.maintenance import MaintenanceNotice


def _end(text: str) -> datetime:
    return parsing.timestamp(text, "maintenance end")


MAINTENANCE_NOTICE = MaintenanceNotice(
    marker="undergoing routine maintenance",
    ends=re.compile(r"maintenance until (\d{1,2} \w{3} \d{4} \d{2}:\d{2} UTC)"),
    parse_end=_end,
)
