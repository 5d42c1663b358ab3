"""The HealthPay24 sandbox's second layout and its structural faults over plain HTTP: the same
data and forms in other markup, a privacy banner until a cookie says it was answered, and each
fault where the docs say (sandbox.common.layout, docs/sandbox-healthpay24.md); then the adapter's
payment path on either layout: the history opened at the search address, the balance checked on
the statement page, the balance after read from the receipt."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Route

from models.errors import AmountExceedsBalance, PortalChanged
from models.money import Money
from portals.healthpay24.adapter import HealthPay24Adapter
from portals.healthpay24.pages.payment_activity_page import PaymentActivityPage
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.healthpay24.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME
from sandbox.launcher import PortalProcess
from tests.integration.test_healthpay24_adapter import credentials, pay
from tests.integration.test_healthpay24_sandbox import card, checkout

pytestmark = pytest.mark.usefixtures("fresh_healthpay24")

BANNER = 'aria-label="We value your privacy"'
SUBMIT = ">Submit payment</button>"
BOTH = pytest.mark.parametrize("layout", list(LayoutName), ids=str)


@pytest.fixture
def client(healthpay24_portal: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=healthpay24_portal.base_url, timeout=10.0) as http:
        yield http


def sign_in_demo(client: httpx.Client) -> str:
    """The demo login's password and code, on either layout; where it landed."""
    client.post("/signin", data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD})
    code = Totp(DEMO_TOTP_SECRET).now()
    return client.post("/signin/verify", data={"security_code": code}).headers["location"]


@pytest.fixture
def demo(healthpay24_admin: SandboxAdmin) -> SandboxUser:
    return healthpay24_admin.user(DEMO_USERNAME)


def test_v2_is_other_markup_over_the_same_data_with_a_banner_until_answered(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    v1_sign_in = client.get("/signin").text
    healthpay24_admin.set_layout(LayoutName.V2)
    assert healthpay24_admin.layout().layout is LayoutName.V2

    v2_sign_in = client.get("/signin").text
    assert BANNER not in v1_sign_in and BANNER in v2_sign_in
    assert 'id="user_id"' in v1_sign_in and 'id="user_id"' not in v2_sign_in
    assert 'name="user_id"' in v2_sign_in and "Sign in to your account" in v2_sign_in
    assert sign_in_demo(client) == "/portal/accounts"
    assert "Your accounts" in client.get("/portal/accounts").text
    statement = demo.statements[0].statement_id
    page = client.get(f"/portal/statements/{statement}").text
    assert f'<h1 class="hp-title">Statement {statement}</h1>' in page
    assert 'aria-label="Charges"' in page and BANNER in page
    client.cookies.set("hp24_consent", "all")
    assert BANNER not in client.get(f"/portal/statements/{statement}").text
    assert BANNER not in client.get("/portal/plans").text
    healthpay24_admin.reset()
    assert healthpay24_admin.layout().layout is LayoutName.V1


def test_plan_refund_and_deposit_pages_have_v2_markup(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    """Each plan, refund, wallet and deposit page from its own v2 file, not v1's fallback."""
    healthpay24_admin.set_layout(LayoutName.V2)
    assert sign_in_demo(client) == "/portal/accounts"
    token, [planned, offered, *_] = card(demo, "approved"), demo.statements
    receipt = checkout(client, offered.statement_id, "1.00", "bb-v2-pages", token)
    plan = client.post(
        f"/portal/statements/{planned.statement_id}/payment-plan",
        data={"installment": f"{planned.balance_cents // 200}.00", "payment_token": token,
              "plan_note": "bb-v2-plan", "authorize": "yes"},
    ).headers["location"].split("?")[0]  # fmt: skip
    paying, shown = (e for e in healthpay24_admin.estimates(DEMO_USERNAME) if e.status == "active")
    deposit = client.post(
        f"/portal/estimates/{paying.estimate_id}/deposit",
        data={"form_id": "bb-v2-pages", "payment_token": token, "authorize": "yes"},
    ).headers["location"]
    pages = {
        "/portal/plans": "hp-plans__table", plan: "hp-plan__summary",
        f"{plan}/change": "hp-plan-edit",
        f"/portal/statements/{offered.statement_id}/payment-plan": "hp-plan-offer",
        f"{receipt.headers['location']}/void": "hp-reversal--void",
        f"{receipt.headers['location']}/refund": "hp-reversal--refund",
        "/portal/wallet": "hp-wallet__list", "/portal/deposits": 'id="hp-deposit-q"',
        f"/portal/estimates/{shown.estimate_id}/deposit": "hp-deposit-summary",
        deposit: "hp-deposit__visit",
    }  # fmt: skip
    for path, v2_only in pages.items():
        page = client.get(path)
        assert page.status_code == 200 and v2_only in page.text, path
        assert "hp-shell__header" in page.text and '<nav class="side"' not in page.text, path
        assert "<caption>" not in page.text and 'class="fields"' not in page.text, path


@BOTH
def test_no_sign_in_button(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, layout: LayoutName
) -> None:
    assert ">Continue</button>" in client.get("/signin").text
    healthpay24_admin.set_layout(layout, StructuralFault.NO_SIGN_IN_BUTTON)
    page = client.get("/signin").text
    assert 'name="password"' in page and ">Continue</button>" not in page


@BOTH
def test_captcha_refuses_every_sign_in_until_solved(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, layout: LayoutName
) -> None:
    healthpay24_admin.set_layout(layout, StructuralFault.CAPTCHA)
    assert "I'm not a robot" in client.get("/signin").text
    refused = client.post("/signin", data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD})
    assert refused.status_code == 200 and "Please complete the CAPTCHA" in refused.text
    assert healthpay24_admin.logins().failed_password == 0
    solved = client.post(
        "/signin",
        data={"user_id": DEMO_USERNAME, "password": DEMO_PASSWORD,
              "captcha_robot": "yes", "captcha_answer": "w7kq2"},
    )  # fmt: skip
    assert solved.headers["location"] == "/signin/verify"


@BOTH
def test_interstitial_after_sign_in(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, layout: LayoutName
) -> None:
    healthpay24_admin.set_layout(layout, StructuralFault.INTERSTITIAL)
    assert sign_in_demo(client) == "/portal/terms"
    terms = client.get("/portal/terms")
    assert "updated our terms of service" in terms.text and ">Continue</button>" in terms.text
    assert client.post("/portal/terms").headers["location"] == "/portal/accounts"


@BOTH
def test_no_pay_button_and_history_changed(
    client: httpx.Client, healthpay24_admin: SandboxAdmin, demo: SandboxUser, layout: LayoutName
) -> None:
    assert sign_in_demo(client) == "/portal/accounts"
    statement = demo.statements[0].statement_id
    checkout(client, statement, "5.00", "BB-layout-1", card(demo, "approved"))
    healthpay24_admin.set_layout(layout, StructuralFault.NO_PAY_BUTTON)
    start = client.get(f"/portal/statements/{statement}/pay")
    steps = start.headers["location"].removesuffix("/amount")
    client.post(f"{steps}/amount", data={"amount_choice": "other", "other_amount": "1.00"})
    client.post(f"{steps}/method", data={"payment_token": card(demo, "approved")})
    review = client.get(f"{steps}/review").text
    assert "Step 3 of 3" in review and SUBMIT not in review
    table = ('aria-label="Payments"', "<caption>Payments</caption>")
    assert any(markup in client.get("/portal/payment-activity").text for markup in table)

    healthpay24_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    history = client.get("/portal/payment-activity").text
    assert "BB-layout-1" in history and 'name="note"' in history
    assert ">Search</button>" not in history
    assert not any(markup in history for markup in table)


async def test_the_banner_covers_the_page_until_the_adapter_accepts_it(
    page: Page,
    healthpay24: HealthPay24Adapter,
    healthpay24_portal: PortalProcess,
    healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
) -> None:
    healthpay24_admin.set_layout(LayoutName.V2)
    await page.goto(f"{healthpay24_portal.base_url}/signin")
    with pytest.raises(PlaywrightError, match="intercepts pointer events"):
        await page.get_by_role("button", name="Continue").click(trial=True, timeout=1_000)

    await healthpay24.login(credentials(demo))

    assert await healthpay24.is_signed_in()
    cookies = {cookie["name"]: cookie["value"] for cookie in await page.context.cookies()}
    assert cookies.get("hp24_consent") == "all"


async def test_an_interstitial_after_a_remembered_device_is_portal_changed(
    healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    assert await healthpay24.start_login(credentials(demo)) is None  # remembers this browser
    healthpay24_admin.set_layout(LayoutName.V2, StructuralFault.INTERSTITIAL)

    with pytest.raises(PortalChanged, match="unexpected page followed the password"):
        await healthpay24.start_login(credentials(demo))  # no code asked: the terms instead


async def signed_in_on(
    layout: LayoutName, healthpay24: HealthPay24Adapter, admin: SandboxAdmin, demo: SandboxUser
) -> HealthPay24Adapter:
    admin.set_layout(layout)
    await healthpay24.login(credentials(demo))
    return healthpay24


@BOTH
async def test_history_by_address_and_the_balance_after_from_the_receipt(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin,
    demo: SandboxUser, layout: LayoutName,
) -> None:  # fmt: skip
    adapter = await signed_in_on(layout, healthpay24, healthpay24_admin, demo)
    statement = demo.statements[0]
    assert await adapter.find_payment("bb-hp24-address") is None
    assert page.url.endswith("/portal/payment-activity?note=bb-hp24-address")

    confirmation = await adapter.submit_payment(pay(demo, 1234, "bb-hp24-address"))

    after = healthpay24_admin.statement(statement.statement_id).balance_cents
    assert after == statement.balance_cents - 1234
    assert confirmation.balance_after == Money(amount_cents=after)
    [recorded] = healthpay24_admin.ledger(reference="bb-hp24-address")
    assert confirmation.payment.confirmation_number == recorded.confirmation_number
    assert await adapter.find_payment("bb-hp24-address") == confirmation.payment
    assert await adapter.find_payment("bb-hp24") is None  # "contains", then only an exact note


@BOTH
async def test_the_search_box_tells_whether_the_list_was_searched(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_portal: PortalProcess,
    healthpay24_admin: SandboxAdmin, demo: SandboxUser, layout: LayoutName,
) -> None:  # fmt: skip
    await signed_in_on(layout, healthpay24, healthpay24_admin, demo)
    activity = PaymentActivityPage(page, healthpay24_portal.base_url)
    await activity.open()
    assert await activity.is_shown() and not await activity.shows_search_for("bb-hp24-x")
    await activity.open_searched("bb-hp24-x")
    assert await activity.is_shown() and await activity.shows_search_for("bb-hp24-x")


async def test_a_portal_ignoring_the_search_address_is_portal_changed(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
) -> None:  # fmt: skip
    adapter = await signed_in_on(LayoutName.V1, healthpay24, healthpay24_admin, demo)
    await adapter.submit_payment(pay(demo, 100, "bb-hp24-someone-else"))

    async def unfiltered(route: Route) -> None:  # what a portal that dropped ?note= answers
        await route.continue_(url=route.request.url.split("?")[0])

    await page.route("**/portal/payment-activity?*", unfiltered)
    with pytest.raises(PortalChanged, match="no longer filters by reference"):
        await adapter.find_payment("bb-hp24-ours")


@BOTH
async def test_history_changed_is_portal_changed_in_seconds(
    healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin, demo: SandboxUser,
    layout: LayoutName,
) -> None:  # fmt: skip
    adapter = await signed_in_on(layout, healthpay24, healthpay24_admin, demo)
    await adapter.submit_payment(pay(demo, 100, "bb-hp24-changed"))
    healthpay24_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    started = time.monotonic()
    with pytest.raises(PortalChanged, match="payment activity page is not as expected"):
        await adapter.find_payment("bb-hp24-changed")
    assert time.monotonic() - started < 5.0


@BOTH
async def test_an_amount_over_the_balance_is_refused_before_the_checkout(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin,
    demo: SandboxUser, layout: LayoutName,
) -> None:  # fmt: skip
    adapter = await signed_in_on(layout, healthpay24, healthpay24_admin, demo)
    statement = demo.statements[0]
    too_much = statement.balance_cents + 1
    with pytest.raises(AmountExceedsBalance) as caught:
        await adapter.submit_payment(pay(demo, too_much, "bb-hp24-too-much"))
    assert caught.value.message == (
        f"amount {Money(amount_cents=too_much)} exceeds the balance due "
        f"{Money(amount_cents=statement.balance_cents)} on statement {statement.statement_id}"
    )
    assert page.url.endswith(f"/portal/statements/{statement.statement_id}")  # no checkout
    assert healthpay24_admin.ledger() == []


async def test_a_statement_without_its_amount_due_is_portal_changed_before_paying(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
) -> None:  # fmt: skip
    adapter = await signed_in_on(LayoutName.V1, healthpay24, healthpay24_admin, demo)
    await without_detail(page, "/portal/statements/", "Amount due")
    with pytest.raises(PortalChanged, match="Amount due"):
        await adapter.submit_payment(pay(demo, 100, "bb-hp24-no-due"))
    assert healthpay24_admin.ledger() == []


async def test_a_receipt_without_the_remaining_balance_leaves_it_unknown(
    page: Page, healthpay24: HealthPay24Adapter, healthpay24_admin: SandboxAdmin,
    demo: SandboxUser,
) -> None:  # fmt: skip
    adapter = await signed_in_on(LayoutName.V1, healthpay24, healthpay24_admin, demo)
    await without_detail(page, "/portal/receipts/", "Remaining balance")
    confirmation = await adapter.submit_payment(pay(demo, 100, "bb-hp24-no-remaining"))
    assert confirmation.balance_after is None
    assert confirmation.payment.amount == Money(amount_cents=100)


async def without_detail(page: Page, path_prefix: str, term: str) -> None:
    """Pages under ``path_prefix`` show one detail fewer (the term and its value) from now on.

    Done in the page, not by routing: a route does not see the receipt the submit redirects to.
    """
    await page.add_init_script(
        f"""if (location.pathname.startsWith({json.dumps(path_prefix)})) {{
          document.addEventListener("DOMContentLoaded", () => {{
            for (const dt of document.querySelectorAll("dt")) {{
              if (dt.textContent.trim() === {json.dumps(term)}) {{
                dt.nextElementSibling.remove();
                dt.remove();
              }}
            }}
          }});
        }}"""
    )
