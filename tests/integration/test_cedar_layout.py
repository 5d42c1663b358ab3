"""The Cedar sandbox's second layout and its structural faults (``sandbox.common.layout``):
what each serves over HTTP, and the redesign's cookie banner in Chromium, which covers the
page until the shared consent handler accepts it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import PortalChanged
from models.money import Money
from models.payments import PaymentSubmission
from portals.cedar.adapter import CedarAdapter
from portals.consent_banners import accept_banners, banner
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin
from sandbox.cedar.seed import DEMO_CARD_TOKEN, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.launcher import PortalProcess

CONSENT_COOKIE = "cedar_cookie_consent"
# What the adapter says for each change: the page it was on, and what that page lacked.
REPORTED_AS = {
    StructuralFault.NO_SIGN_IN_BUTTON: "login: the sign-in page lacks",
    StructuralFault.CAPTCHA: "login: the sign-in page asks for a CAPTCHA",
    StructuralFault.INTERSTITIAL: "sign-in: an unexpected page followed the code",
    StructuralFault.NO_PAY_BUTTON: "pay_form: the payment form is not as expected",
    StructuralFault.HISTORY_CHANGED: "history: the payment history page is not as expected",
}


@pytest.fixture
def client(cedar_portal: PortalProcess, cedar_admin: SandboxAdmin) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cedar_portal.base_url, timeout=10.0) as http:
        yield http
    cedar_admin.reset()  # back to v1 for whatever runs next on this session's sandbox


def _sign_in(client: httpx.Client, captcha: str = "") -> httpx.Response:
    form = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD, "captcha": captcha}
    client.post("/login", data=form)
    return client.post("/mfa", data={"code": Totp(DEMO_TOTP_SECRET).now()}, follow_redirects=True)


def test_v2_redesigns_the_pages_with_a_cookie_banner_until_accepted(
    client: httpx.Client, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_layout(LayoutName.V2)
    login = client.get("/login")
    assert 'data-layout="v2"' in login.text and 'id="login-user"' in login.text
    assert 'aria-label="Cookie preferences"' in login.text
    assert _sign_in(client).url.path == "/statements"
    statement = cedar_admin.user(DEMO_USERNAME).statements[0].statement_id
    for path in ("/statements", f"/statements/{statement}", f"/statements/{statement}/pay",
                 "/payments", "/account"):  # fmt: skip
        assert 'data-layout="v2"' in client.get(path).text, path
    # Plans keep v1's markup, under the same banner.
    plans = client.get("/plans")
    assert 'data-layout="v2"' not in plans.text and "Cookie preferences" in plans.text
    client.cookies.set(CONSENT_COOKIE, "all")
    assert "Cookie preferences" not in client.get("/statements").text


@pytest.mark.parametrize("layout", list(LayoutName))
def test_no_sign_in_button_and_captcha(
    client: httpx.Client, cedar_admin: SandboxAdmin, layout: LayoutName
) -> None:
    cedar_admin.set_layout(layout, StructuralFault.NO_SIGN_IN_BUTTON)
    assert "Sign in</button>" not in client.get("/login").text

    cedar_admin.set_layout(layout, StructuralFault.CAPTCHA)
    assert "I'm not a robot" in client.get("/login").text
    refused = client.post("/login", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    assert refused.status_code == 200 and "Please complete the CAPTCHA" in refused.text
    assert cedar_admin.logins().failed_password == 0
    assert _sign_in(client, captcha="solved").url.path == "/statements"


@pytest.mark.parametrize("layout", list(LayoutName))
def test_interstitial_stands_before_every_page_until_continued(
    client: httpx.Client, cedar_admin: SandboxAdmin, layout: LayoutName
) -> None:
    cedar_admin.set_layout(layout, StructuralFault.INTERSTITIAL)
    landed = _sign_in(client)
    assert landed.url.path == "/notices/terms"
    assert "We've updated our terms of service" in landed.text
    assert client.get("/payments", follow_redirects=True).url.path == "/notices/terms"
    assert client.post("/notices/terms", follow_redirects=True).url.path == "/statements"
    assert client.get("/payments").status_code == 200


@pytest.mark.parametrize("layout", list(LayoutName))
def test_no_pay_button_and_history_changed(
    client: httpx.Client, cedar_admin: SandboxAdmin, layout: LayoutName
) -> None:
    statement = cedar_admin.user(DEMO_USERNAME).statements[0].statement_id
    cedar_admin.set_layout(layout, StructuralFault.NO_PAY_BUTTON)
    _sign_in(client)
    pay_form = client.get(f"/statements/{statement}/pay").text
    assert "Pay statement" in pay_form and "Submit payment</button>" not in pay_form

    cedar_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    history = client.get("/payments").text
    assert "Search by reference" in history and "Search</button>" not in history


async def test_the_banner_covers_the_page_until_the_consent_handler_accepts_it(
    page: Page, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_layout(LayoutName.V2)
    try:
        await page.goto(f"{cedar_portal.base_url}/login")
        sign_in = page.get_by_role("button", name="Sign in")
        assert await banner(page).is_visible()
        with pytest.raises(PlaywrightError, match="intercepts pointer events"):
            await sign_in.click(trial=True, timeout=1_000)

        await accept_banners(page)
        await sign_in.click(trial=True, timeout=5_000)  # the handler answered the banner first

        assert not await banner(page).is_visible()
        cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
        assert cookies[CONSENT_COOKIE] == "all"
        await page.reload()
        assert not await banner(page).is_visible()
    finally:
        cedar_admin.reset()


@pytest.mark.parametrize("fault", list(StructuralFault))
async def test_the_adapter_names_the_page_that_changed(
    page: Page, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin, fault: StructuralFault
) -> None:
    cedar_admin.set_layout(LayoutName.V2, fault)
    adapter = CedarAdapter(page, cedar_portal.base_url)
    statement = cedar_admin.user(DEMO_USERNAME).statements[0].statement_id
    try:
        with pytest.raises(PortalChanged) as changed:
            await adapter.login(
                Credentials(
                    username=DEMO_USERNAME,
                    password=SecretStr(DEMO_PASSWORD),
                    totp_secret=SecretStr(DEMO_TOTP_SECRET),
                )
            )
            reference = "BB-layout-fault"
            if await adapter.find_payment(reference) is None:
                await adapter.submit_payment(
                    PaymentSubmission(
                        statement_id=statement,
                        amount=Money(amount_cents=1000),
                        payment_method_token=DEMO_CARD_TOKEN,
                        reference=reference,
                    )
                )
        assert changed.value.message.startswith(REPORTED_AS[fault])
        assert cedar_admin.ledger() == []
        if fault in (StructuralFault.NO_SIGN_IN_BUTTON, StructuralFault.CAPTCHA):
            assert cedar_admin.logins().successful == 0  # nothing submitted, nothing ticked
        if fault is StructuralFault.INTERSTITIAL:
            assert page.url.endswith("/notices/terms")  # never continued past it
    finally:
        cedar_admin.reset()
