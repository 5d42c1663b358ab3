"""The Patientco payment path in as few page loads as a bare script, on both layouts, in real
Chromium against the real sandbox: the history lookup opens its results at the search form's
address, the balance is checked on the statement page the payment passes anyway, and the
confirmation says what is left on the statement."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.async_api import Page, Route

from models.errors import AmountExceedsBalance, PortalChanged
from models.money import Money
from portals.patientco import parsing
from portals.patientco.adapter import PatientcoAdapter
from portals.patientco.pages.transactions_page import TransactionsPage
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.launcher import PortalProcess
from sandbox.patientco.seed import DEMO_USERNAME
from tests.integration.test_patientco_adapter import credentials, pay, payable

LAYOUTS = pytest.mark.parametrize("layout", list(LayoutName), ids=str)
# A changed page is reported in seconds, never after the adapter's minutes of timeouts.
DETECTED_WITHIN_SECONDS = 10.0


@pytest.fixture
def demo(patientco_admin: SandboxAdmin) -> SandboxUser:
    return patientco_admin.user(DEMO_USERNAME)


@pytest.fixture
async def signed_in(
    patientco: PatientcoAdapter, demo: SandboxUser, patientco_admin: SandboxAdmin,
    layout: LayoutName,
) -> PatientcoAdapter:  # fmt: skip
    patientco_admin.set_layout(layout)
    await patientco.login(credentials(demo))
    return patientco


@contextmanager
def page_loads(page: Page) -> Iterator[list[str]]:
    """The paths the page's main frame navigated to inside the block."""
    paths: list[str] = []

    def loaded(frame: object) -> None:
        if frame is page.main_frame:
            paths.append(urlsplit(page.url).path)

    page.on("framenavigated", loaded)
    try:
        yield paths
    finally:
        page.remove_listener("framenavigated", loaded)


@LAYOUTS
async def test_lookup_in_one_load_and_balance_after_from_the_confirmation(
    signed_in: PatientcoAdapter, page: Page, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    with page_loads(page) as lookup:
        assert await signed_in.find_payment("bb-pco-fast") is None
    assert lookup == ["/transactions"]

    with page_loads(page) as paying:
        confirmation = await signed_in.submit_payment(pay(demo, 1234, "bb-pco-fast"))
    assert len(paying) == 3  # statement, post-payment form, the transaction page
    truth = patientco_admin.statement(payable(demo).statement_id)
    assert truth.balance_cents == payable(demo).balance_cents - 1234
    assert confirmation.balance_after is not None
    assert confirmation.balance_after.amount_cents == truth.balance_cents

    with page_loads(page) as found_by:
        found = await signed_in.find_payment("bb-pco-fast")
    assert found_by == ["/transactions"]
    assert found is not None
    assert found.confirmation_number == confirmation.payment.confirmation_number
    assert await signed_in.find_payment("bb-pco") is None  # a prefix is not our reference


@LAYOUTS
async def test_amount_over_the_balance_is_refused_on_the_statement_page(
    signed_in: PatientcoAdapter, page: Page, demo: SandboxUser, patientco_admin: SandboxAdmin
) -> None:
    statement = payable(demo)
    with page_loads(page) as loads, pytest.raises(AmountExceedsBalance) as refused:
        await signed_in.submit_payment(pay(demo, statement.balance_cents + 1, "bb-pco-much"))
    assert loads == [f"/statements/{statement.statement_id}"]  # never reached the form
    over, due = (
        Money(amount_cents=statement.balance_cents + 1),
        Money(amount_cents=statement.balance_cents),
    )
    assert refused.value.message == (
        f"amount {over} exceeds the balance due {due} on statement {statement.statement_id}"
    )
    assert demo.username not in refused.value.message
    assert patientco_admin.ledger() == []
    assert patientco_admin.statement(statement.statement_id).balance_cents == (
        statement.balance_cents
    )


@LAYOUTS
async def test_history_changed_is_portal_changed_in_seconds(
    signed_in: PatientcoAdapter, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    patientco_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    started = time.monotonic()
    with pytest.raises(PortalChanged, match="search button"):
        await signed_in.find_payment("bb-pco-changed")
    assert time.monotonic() - started <= DETECTED_WITHIN_SECONDS


@LAYOUTS
async def test_the_search_box_tells_whether_the_address_filtered(
    signed_in: PatientcoAdapter, page: Page, patientco_portal: PortalProcess
) -> None:
    journal = TransactionsPage(page, patientco_portal.base_url)
    await journal.open()
    assert await journal.is_shown()
    assert not await journal.shows_search_for("bb-pco-unfiltered")
    await journal.open_searched("bb-pco-unfiltered")
    assert await journal.shows_search_for("bb-pco-unfiltered")
    assert not await journal.shows_search_for("bb-pco-other")


@LAYOUTS
async def test_a_portal_ignoring_the_search_address_is_portal_changed(
    signed_in: PatientcoAdapter, page: Page
) -> None:
    """Its query string dropped on the way (as a portal that stopped reading it would answer):
    the unfiltered journal must not read as "not paid"."""

    async def unfiltered(route: Route) -> None:
        await route.continue_(url=urlunsplit(urlsplit(route.request.url)._replace(query="")))

    await page.route("**/transactions?*", unfiltered)
    started = time.monotonic()
    with pytest.raises(PortalChanged, match="no longer filters by reference"):
        await signed_in.find_payment("bb-pco-ignored")
    assert time.monotonic() - started <= DETECTED_WITHIN_SECONDS


def test_a_confirmation_without_the_balance_remaining_leaves_it_to_the_caller() -> None:
    assert parsing.balance_remaining({"Amount": "USD 12.34"}) is None
    v1 = parsing.balance_remaining({"Remaining balance": "USD 1,200.00"})
    v2 = parsing.balance_remaining({"Balance remaining": "USD 0.00"})
    assert (v1 and v1.amount_cents, v2 and v2.amount_cents) == (120_000, 0)
