"""How a Playwright failure becomes a typed error: an element never found on a loaded page is
a changed portal (PortalChanged, not retried), a wait on the portal itself stays a timeout."""

from __future__ import annotations

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from models.errors import PortalChanged, PortalTimeout, PortalUnavailable
from portals.navigation import typed_error


def _error(kind: type[PlaywrightError], message: str) -> PlaywrightError:
    error = kind(message)
    error._message = message  # what Playwright's own errors carry
    return error


@pytest.mark.parametrize(
    "message",
    [
        'Locator.click: Timeout 10000ms exceeded.\nCall log:\n  - waiting for get_by_role("b")',
        'Locator.fill: Timeout 10000ms exceeded.\nCall log:\n  - waiting for get_by_label("A")',
        'Page.wait_for_selector: Timeout 500ms exceeded.\nCall log:\n  - waiting for locator("#x")',
    ],
)
def test_an_element_never_found_is_a_changed_portal(message: str) -> None:
    typed = typed_error("pay_form", _error(PlaywrightTimeoutError, message))
    assert isinstance(typed, PortalChanged) and typed.non_retryable
    assert typed.message == "pay_form: the page lacks an element the adapter needs"


@pytest.mark.parametrize(
    "message",
    [
        'Page.goto: Timeout 15000ms exceeded.\nCall log:\n  - navigating to "http://x/"',
        "Page.expect_navigation: Timeout 15000ms exceeded.\n=== logs ===\nwaiting for navigation",
        "Page.expect_download: Timeout 10000ms exceeded.",
    ],
)
def test_waiting_on_the_portal_stays_a_retryable_timeout(message: str) -> None:
    typed = typed_error("pay_submit", _error(PlaywrightTimeoutError, message))
    assert isinstance(typed, PortalTimeout) and not typed.non_retryable


def test_a_network_failure_is_unavailable_and_quotes_only_its_code() -> None:
    message = "Page.goto: net::ERR_CONNECTION_REFUSED at http://x/ <patient name>"
    typed = typed_error("login", _error(PlaywrightError, message))
    assert isinstance(typed, PortalUnavailable)
    assert typed.message == "login: the portal could not be reached (net::ERR_CONNECTION_REFUSED)"
