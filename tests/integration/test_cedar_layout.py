"""The Cedar sandbox's second layout and its structural faults (``sandbox.common.layout``):
what each serves over HTTP, and the redesign's cookie banner in Chromium, which covers the
page until the shared consent handler accepts it."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page, Request, Route
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import AmountExceedsBalance, PortalChanged
from models.money import Money
from models.payments import PaymentSubmission
from portals.cedar import parsing
from portals.cedar.adapter import CedarAdapter
from portals.cedar.pages.confirmation_page import ConfirmationPage
from portals.cedar.pages.payment_history_page import PaymentHistoryPage
from portals.consent_banners import accept_banners, banner
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin
from sandbox.cedar.seed import DEMO_CARD_TOKEN, DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME
from sandbox.common.autopay_rules import RULES
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.launcher import PortalProcess

CONSENT_COOKIE = "cedar_cookie_consent"
# Far below a navigation timeout: the missing button is known as soon as the page loads.
HISTORY_CHANGED_WITHIN_SECONDS = 5.0
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
    client.cookies.set(CONSENT_COOKIE, "all")
    assert "Cookie preferences" not in client.get("/statements").text
    # A page v2 did not redesign (maintenance) keeps v1's markup, under the same banner.
    client.cookies.delete(CONSENT_COOKIE)
    cedar_admin.enter_maintenance(seconds_left=60)  # the clock goes back with the reset
    maintenance = client.get("/login")
    assert maintenance.status_code == 503 and 'data-layout="v2"' not in maintenance.text
    assert "Cookie preferences" in maintenance.text


def test_v2_redesigns_the_plan_pages(client: httpx.Client, cedar_admin: SandboxAdmin) -> None:
    """Offer, enrollment, plan, change, cancel and the list: each in v2's shell and classes."""
    cedar_admin.set_layout(LayoutName.V2)
    _sign_in(client)
    rules = RULES["cedar"]
    statement = next(
        s for s in cedar_admin.user(DEMO_USERNAME).statements
        if s.balance_cents >= rules.min_balance_cents
    )  # fmt: skip
    offer = f"/statements/{statement.statement_id}/plan"
    pages = {offer: "cx-actions", f"{offer}/enroll": "cx-plan-form"}
    installment = max(rules.min_installment_cents, -(-statement.balance_cents // 6))
    enrolled = client.post(
        f"{offer}/enroll",
        data={"installment": f"{installment / 100:.2f}", "payment_method": DEMO_CARD_TOKEN,
              "reference": "BB-v2-plan", "autopay_consent": "yes", "submission": "v2-plan"},
        follow_redirects=True,
    )  # fmt: skip
    plan = enrolled.url.path
    enrolled_ids = [p.plan_id for p in cedar_admin.plans(reference="BB-v2-plan")]
    assert enrolled.status_code == 200 and enrolled_ids == [plan.removeprefix("/plans/")]
    pages[plan] = "cx-schedule"
    pages[f"{plan}/change"] = "cx-plan-form"
    pages[f"{plan}/cancel"] = "cx-cancel"
    pages["/plans?reference=BB-v2-plan"] = "cx-plan-list"
    for path, v2_class in pages.items():
        text = client.get(path).text
        assert 'data-layout="v2"' in text and v2_class in text, path
        assert '<header class="site">' not in text and "<main>" not in text, path


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


@pytest.fixture(params=list(LayoutName), ids=lambda layout: str(layout.value))
def layout(request: pytest.FixtureRequest) -> LayoutName:
    return LayoutName(request.param)


@pytest_asyncio.fixture
async def on_layout(
    layout: LayoutName, page: Page, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> AsyncIterator[CedarAdapter]:
    """The adapter signed in on one layout; the sandbox back on v1 afterwards."""
    cedar_admin.set_layout(layout)
    adapter = CedarAdapter(page, cedar_portal.base_url)
    try:
        await adapter.login(
            Credentials(
                username=DEMO_USERNAME,
                password=SecretStr(DEMO_PASSWORD),
                totp_secret=SecretStr(DEMO_TOTP_SECRET),
            )
        )
        yield adapter
    finally:
        cedar_admin.reset()


def navigations(page: Page) -> list[str]:
    """The addresses the page's main frame goes to from now on (a redirect counts once)."""
    opened: list[str] = []

    def record(frame: Frame) -> None:
        if frame is page.main_frame:
            opened.append(frame.url)

    page.on("framenavigated", record)
    return opened


def posts(page: Page) -> list[str]:
    """The addresses the page sends a POST to from now on."""
    sent: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST":
            sent.append(request.url)

    page.on("request", record)
    return sent


def _pay(statement_id: str, cents: int, reference: str) -> PaymentSubmission:
    return PaymentSubmission(
        statement_id=statement_id,
        amount=Money(amount_cents=cents),
        payment_method_token=DEMO_CARD_TOKEN,
        reference=reference,
    )


async def test_the_lookup_opens_the_search_address_and_finds_only_ours(
    on_layout: CedarAdapter, page: Page, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    statement = cedar_admin.user(DEMO_USERNAME).statements[0].statement_id
    await on_layout.submit_payment(_pay(statement, 300, "BB-other-payment"))
    opened = navigations(page)

    assert await on_layout.find_payment("BB-by-address") is None
    paid = (await on_layout.submit_payment(_pay(statement, 400, "BB-by-address"))).payment
    opened.clear()
    found = await on_layout.find_payment("BB-by-address")

    assert found is not None and found.confirmation_number == paid.confirmation_number
    # One navigation, straight to the search form's own address.
    assert opened == [f"{cedar_portal.base_url}/payments?reference=BB-by-address"]


async def test_the_plain_history_does_not_show_a_search_for_our_reference(
    on_layout: CedarAdapter, page: Page, cedar_portal: PortalProcess
) -> None:
    """What a portal that stopped reading ``?reference=`` would show: the unfiltered list."""
    history = PaymentHistoryPage(page, cedar_portal.base_url)
    await history.open()
    assert await history.is_shown()
    assert not await history.shows_search_for("BB-not-searched")
    await history.open_searched("BB-not-searched")
    assert await history.shows_search_for("BB-not-searched")


async def test_a_history_that_ignores_the_search_address_is_portal_changed(
    on_layout: CedarAdapter, page: Page, cedar_portal: PortalProcess
) -> None:
    """The parameter dropped on its way to the portal: the page lists everything unfiltered."""

    async def unfiltered(route: Route) -> None:
        await route.continue_(url=f"{cedar_portal.base_url}/payments")

    await page.route(re.compile(r".*/payments\?reference=.*"), unfiltered)
    with pytest.raises(PortalChanged) as changed:
        await on_layout.find_payment("BB-ignored")
    assert changed.value.message == "history: the search address no longer filters by reference"


async def test_history_changed_is_portal_changed_in_seconds(
    on_layout: CedarAdapter, layout: LayoutName, cedar_admin: SandboxAdmin
) -> None:
    cedar_admin.set_layout(layout, StructuralFault.HISTORY_CHANGED)
    started = time.monotonic()
    with pytest.raises(PortalChanged) as changed:
        await on_layout.find_payment("BB-history-changed")
    assert time.monotonic() - started < HISTORY_CHANGED_WITHIN_SECONDS
    assert changed.value.message.startswith(REPORTED_AS[StructuralFault.HISTORY_CHANGED])


async def test_an_amount_over_the_pay_forms_balance_is_refused_before_anything_is_sent(
    on_layout: CedarAdapter, page: Page, cedar_admin: SandboxAdmin
) -> None:
    statement = cedar_admin.user(DEMO_USERNAME).statements[0]
    posted = posts(page)

    with pytest.raises(AmountExceedsBalance) as refused:
        await on_layout.submit_payment(
            _pay(statement.statement_id, statement.balance_cents + 1, "BB-too-much")
        )

    balance = Money(amount_cents=statement.balance_cents)
    over = Money(amount_cents=statement.balance_cents + 1)
    assert refused.value.message == (
        f"amount {over} exceeds the balance due {balance} on statement {statement.statement_id}"
    )
    assert posted == [] and cedar_admin.ledger() == []


async def test_the_balance_after_comes_from_the_confirmation(
    on_layout: CedarAdapter, page: Page, cedar_portal: PortalProcess, cedar_admin: SandboxAdmin
) -> None:
    statement = cedar_admin.user(DEMO_USERNAME).statements[1].statement_id
    first = await on_layout.submit_payment(_pay(statement, 1234, "BB-balance-1"))
    assert first.balance_after == Money(amount_cents=cedar_admin.statement(statement).balance_cents)
    second = await on_layout.submit_payment(_pay(statement, 100, "BB-balance-2"))
    truth = cedar_admin.statement(statement).balance_cents
    assert second.balance_after == Money(amount_cents=truth)
    # Opened again later, the first confirmation still shows what that payment left.
    again = ConfirmationPage(page, cedar_portal.base_url)
    await again.open(first.payment.confirmation_number)
    assert parsing.balance_after(await again.detail_fields()) == Money(amount_cents=truth + 100)
