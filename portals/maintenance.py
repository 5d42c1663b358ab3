"""Recognising a portal's maintenance page, on any navigation of any adapter.

Portals take themselves offline for batch work at night (Cedar, Patientco and HealthPay24
each have a nightly window) and answer every page with a maintenance page meanwhile: HTTP
503, usually ``Retry-After``, and the end of the window in the vendor's words. Each vendor
package says how its page reads (a ``MaintenanceNotice``) and its adapter registers it on
its page (``recognise_maintenance``); ``portals/navigation.py`` then checks every 503 it
meets and raises ``PortalInMaintenance`` with the window's end, instead of the
``PortalUnavailable`` a broken portal gets. A 503 without the vendor's words stays
``PortalUnavailable``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from weakref import WeakKeyDictionary

from playwright.async_api import Page, Response

from models.errors import PortalChanged, PortalInMaintenance
from models.maintenance import PortalMaintenance

SERVICE_UNAVAILABLE = 503


@dataclass(frozen=True)
class MaintenanceNotice:
    """How one vendor's maintenance page reads."""

    marker: str  # lower-case words only its maintenance page has
    ends: re.Pattern[str]  # group 1: the window's end as the page shows it
    parse_end: Callable[[str], datetime]  # that text as a UTC datetime (PortalChanged if not)


_notices: WeakKeyDictionary[Page, MaintenanceNotice] = WeakKeyDictionary()


def recognise_maintenance(page: Page, notice: MaintenanceNotice) -> None:
    """From now on, a 503 on this page that reads like ``notice`` is a maintenance window."""
    _notices[page] = notice


async def raise_if_in_maintenance(page: Page, response: Response | None, step: str) -> None:
    if response is None or response.status != SERVICE_UNAVAILABLE:
        return
    notice = _notices.get(page)
    if notice is None:
        return
    try:
        body = await response.text()
    except Exception:  # the body is gone (a closed page): an ordinary 503 then
        return
    maintenance = read_maintenance(
        notice, page_text(body), response.headers.get("retry-after"), datetime.now(UTC)
    )
    if maintenance is not None:
        raise PortalInMaintenance(f"{step}: {maintenance.describe()}", maintenance)


def read_maintenance(
    notice: MaintenanceNotice, text: str, retry_after: str | None, now: datetime
) -> PortalMaintenance | None:
    """The window a 503's text and ``Retry-After`` describe; None if it is not one."""
    if notice.marker not in text.lower():
        return None
    stated = notice.ends.search(text)
    until = notice.parse_end(stated.group(1)) if stated else None
    wait = _retry_after_seconds(retry_after, now)
    if until is None and wait is None:
        raise PortalChanged("maintenance page: it states no end and sends no Retry-After")
    if until is None:
        assert wait is not None
        until = now + timedelta(seconds=wait)
    if wait is None:
        wait = max(0.0, (until - now).total_seconds())
    return PortalMaintenance(until=until, retry_after_seconds=wait)


def _retry_after_seconds(header: str | None, now: datetime) -> float | None:
    """``Retry-After`` is seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if header is None or not header.strip():
        return None
    value = header.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def page_text(html: str) -> str:
    """The words a person reads on the page (markup, styles and scripts left out)."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return " ".join(" ".join(reader.parts).split())


class _TextReader(HTMLParser):
    _SKIPPED = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
