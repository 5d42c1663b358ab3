"""The HealthPay24 sandbox's second layout and its structural faults over plain HTTP: the same
data and forms in other markup, a privacy banner until a cookie says it was answered, and each
fault where the docs say (sandbox.common.layout, docs/sandbox-healthpay24.md)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from models.errors import PortalChanged
from portals.healthpay24.adapter import HealthPay24Adapter
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.healthpay24.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME
from sandbox.launcher import PortalProcess
from tests.integration.test_healthpay24_adapter import credentials
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
    assert BANNER not in client.get("/portal/plans").text  # v1 markup, the same banner rule
    healthpay24_admin.reset()
    assert healthpay24_admin.layout().layout is LayoutName.V1


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
