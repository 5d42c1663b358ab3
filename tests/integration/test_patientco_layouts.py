"""The Patientco sandbox's second layout and structural faults (``sandbox.common.layout``):
what each renders and refuses over plain HTTP, and, in Chromium, that the redesign's banners
really cover the page until accepted."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from portals.consent_banners import accept_banners
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.launcher import PortalProcess
from sandbox.patientco.idp import captcha
from sandbox.patientco.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME
from tests.integration.patientco_http import (
    enter_code,
    idp_origin,
    post_payment,
    sign_in_demo,
    start_sign_in,
)

LAYOUTS = pytest.mark.parametrize("layout", list(LayoutName), ids=str)
_REQUEST = re.compile(r'name="request" value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')


@pytest.fixture
def client(patientco_portal: PortalProcess, fresh_patientco: None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=patientco_portal.base_url, timeout=10.0) as http:
        yield http


def shown(response: httpx.Response) -> str:
    return html.unescape(response.text)


def test_v2_redesigns_the_console_and_patientco_id_with_a_banner_until_accepted(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    patientco_admin.set_layout(LayoutName.V2)
    signin = client.get("/login", follow_redirects=True)
    assert "Sign in to Patientco ID" in shown(signin)
    assert 'aria-label="Cookie consent"' in signin.text

    sign_in_demo(client)
    accounts = client.get("/accounts")
    assert 'class="pc-header"' in accounts.text and 'aria-label="Privacy notice"' in accounts.text
    statement = patientco_admin.user(DEMO_USERNAME).statements[0].statement_id
    assert f"Statement #{statement}" in shown(client.get(f"/statements/{statement}"))
    assert "Transaction history" in shown(client.get("/transactions"))

    client.cookies.set("pco_privacy_ack", "1")  # what "Got it" sets
    assert "Privacy notice" not in client.get("/accounts").text
    patientco_admin.reset()
    assert "Privacy notice" not in client.get("/login", follow_redirects=True).text


# The v1 pages' own classes (their panels, fact lists, amount columns, ledes and action rows).
V1_PAGE_CLASSES = ('class="panel"', 'class="facts"', 'class="num"', 'class="muted"',
                   'class="actions"')  # fmt: skip


def test_v2_redesigns_the_plan_void_and_refund_pages(
    client: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    patientco_admin.set_layout(LayoutName.V2)
    sign_in_demo(client)
    user = patientco_admin.user(DEMO_USERNAME)
    statement = next(s for s in user.statements if s.balance_cents >= 7500)  # the plan minimum
    enroll = client.get(f"/statements/{statement.statement_id}/plan")
    submission = _SUBMISSION.search(enroll.text)
    assert submission is not None
    installment = max(2500, -(-statement.balance_cents // 30))  # within the 36-month term
    enrolled = client.post(
        f"/statements/{statement.statement_id}/plan",
        data={"installment": f"{installment / 100:.2f}", "method": user.cards[0].token,
              "reference": "bb-v2-plan", "authorized": "yes", "submission": submission[1]},
    )  # fmt: skip
    plan = enrolled.headers["location"].split("?")[0]
    paid = post_payment(client, statement.account_number, token=user.cards[0].token,
                        amount="1.00", reference="bb-v2-reversal")  # fmt: skip
    payment = paid.headers["location"].split("?")[0]

    pages = {"plan_enroll.html": enroll, "plans.html": client.get("/plans"),
             "plan.html": client.get(plan), "plan_edit.html": client.get(f"{plan}/edit"),
             "plan_cancel.html": client.get(f"{plan}/cancel"),
             "refund.html": client.get(f"{payment}/refund"),
             "void.html": client.get(f"{payment}/void")}  # fmt: skip
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert 'class="pc-page-head"' in page.text, f"{name} is not the v2 markup"
        assert not [c for c in V1_PAGE_CLASSES if c in page.text], f"{name} has v1 markup"


@LAYOUTS
def test_no_sign_in_button_leaves_patientco_id_without_its_submit(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    patientco_admin.set_layout(layout, StructuralFault.NO_SIGN_IN_BUTTON)
    signin = client.get("/login", follow_redirects=True)
    assert 'name="password"' in signin.text and 'type="submit"' not in signin.text


@LAYOUTS
def test_captcha_refuses_any_sign_in_until_a_person_solves_it(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    patientco_admin.set_layout(layout, StructuralFault.CAPTCHA)
    signin = client.get("/login", follow_redirects=True)
    assert "I'm not a robot" in shown(signin) and "data:image/svg+xml" in signin.text
    refused = start_sign_in(client, DEMO_USERNAME, DEMO_PASSWORD)
    assert refused.url.path == "/signin" and "Please complete the CAPTCHA" in refused.text

    found = _REQUEST.search(refused.text)
    assert found is not None
    solved = client.post(
        f"{idp_origin(refused)}/signin",
        data={"request": found[1], "login": DEMO_USERNAME, "password": DEMO_PASSWORD,
              "captcha_confirmed": "yes", "captcha_answer": captcha.characters(found[1])},
        follow_redirects=True,
    )  # fmt: skip
    assert solved.url.path == "/signin/verify"


@LAYOUTS
def test_interstitial_shows_updated_terms_after_sign_in_until_accepted(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    patientco_admin.set_layout(layout, StructuralFault.INTERSTITIAL)
    verify = start_sign_in(client, DEMO_USERNAME, DEMO_PASSWORD)
    landed = enter_code(client, verify, Totp(DEMO_TOTP_SECRET).now())
    assert landed.url.path == "/notices/terms"
    assert "We've updated our terms of service" in shown(landed)
    assert client.get("/statements").headers["location"] == "/notices/terms"

    accepted = client.post("/notices/terms", follow_redirects=True)
    assert accepted.url.path == "/accounts" and "Guarantor accounts" in accepted.text


@LAYOUTS
def test_no_pay_button_and_history_changed_drop_their_buttons(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    sign_in_demo(client)
    account = patientco_admin.accounts(DEMO_USERNAME)[0].account_id
    form = f"/accounts/{account}/post-payment"
    assert "Post payment</button>" in client.get(form).text
    assert "Search</button>" in client.get("/transactions").text

    patientco_admin.set_layout(layout, StructuralFault.NO_PAY_BUTTON)
    without_pay = client.get(form)
    assert 'name="amount"' in without_pay.text and "Post payment</button>" not in without_pay.text
    patientco_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    journal = client.get("/transactions")
    assert 'name="reference"' in journal.text and "Search</button>" not in journal.text


@LAYOUTS
def test_the_search_address_fills_the_search_box_with_the_reference(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    """One field name, "reference", in both layouts: the adapter opens the results at
    ``/transactions?reference=…`` and reads the box back to know the search was applied."""
    patientco_admin.set_layout(layout)
    sign_in_demo(client)
    searched = client.get("/transactions", params={"reference": "BB-LOOKUP"})
    assert 'name="reference" value="BB-LOOKUP"' in searched.text
    assert 'name="reference" value=""' in client.get("/transactions").text


REMAINING = {LayoutName.V1: "Remaining balance", LayoutName.V2: "Balance remaining"}


@LAYOUTS
def test_the_confirmation_shows_what_is_left_on_the_statement(
    client: httpx.Client, patientco_admin: SandboxAdmin, layout: LayoutName
) -> None:
    patientco_admin.set_layout(layout)
    sign_in_demo(client)
    user = patientco_admin.user(DEMO_USERNAME)
    statement = max(user.statements[:4], key=lambda s: s.balance_cents)
    posted = post_payment(
        client, statement.account_number, token=user.cards[0].token, amount="12.34",
        reference="bb-remaining", statement_id=statement.statement_id,
    )  # fmt: skip
    confirmation = client.get(posted.headers["location"])
    left = patientco_admin.statement(statement.statement_id).balance_cents
    assert left == statement.balance_cents - 1234
    shown_left = f"USD {left // 100:,}.{left % 100:02d}"
    assert f"<dt>{REMAINING[layout]}</dt><dd>{shown_left}</dd>" in confirmation.text
    # A later visit is not the moment after this payment: no balance claimed there.
    later = client.get(posted.headers["location"].split("?")[0])
    assert REMAINING[layout] not in later.text and "Net paid" in later.text


async def test_the_banner_covers_the_sign_in_until_accepted(
    page: Page, patientco_portal: PortalProcess, patientco_admin: SandboxAdmin
) -> None:
    patientco_admin.reset()
    patientco_admin.set_layout(LayoutName.V2)
    await page.goto(f"{patientco_portal.base_url}/login")
    button = page.get_by_role("button", name="Continue")
    with pytest.raises(PlaywrightTimeoutError):
        await button.click(trial=True, timeout=1_000)  # the overlay takes the click

    await accept_banners(page)
    await button.click(trial=True, timeout=5_000)  # answered first, then clickable
    assert await page.get_by_role("dialog", name="Cookie consent").count() == 0
    cookies = {cookie["name"] for cookie in await page.context.cookies()}
    assert "pid_cookie_consent" in cookies
