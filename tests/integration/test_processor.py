"""The sandbox processor over HTTP, and its hosted fields framed by another origin in Chromium."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import FrameLocator, Page, expect

from portals.browser import BrowserPool
from sandbox.launcher import PortalProcess, free_port
from sandbox.processor import tokens

MERCHANT = "test-merchant"


@pytest.fixture
def api(processor: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=processor.base_url, timeout=10.0) as client:
        client.post("/__sandbox__/reset").raise_for_status()
        yield client


def charge(api: httpx.Client, token: str, key: str, amount_cents: int = 1250) -> httpx.Response:
    return api.post(
        "/v1/charges",
        json={"merchant": MERCHANT, "token": token, "amount_cents": amount_cents,
              "currency": "USD", "idempotency_key": key},
    )  # fmt: skip


def charges(api: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get("/v1/charges", params={"merchant": MERCHANT}).json()[
        "charges"
    ]
    return found


def test_health_names_the_processor(api: httpx.Client) -> None:
    assert api.get("/__sandbox__/health").json() == {"status": "ok", "vendor": "processor"}
    assert "4242 4242 4242 4242" in api.get("/__sandbox__/").text


@pytest.mark.parametrize(
    ("instrument", "status", "decline_code"),
    [(tokens.VISA_APPROVED, 200, None), (tokens.MASTERCARD_APPROVED, 200, None),
     (tokens.DISCOVER_APPROVED, 200, None), (tokens.ACH_CHECKING, 200, None),
     (tokens.VISA_DECLINED, 402, "card_declined"),
     (tokens.VISA_INSUFFICIENT_FUNDS, 402, "insufficient_funds")],
    ids=lambda value: getattr(value, "name", str(value)),
)  # fmt: skip
def test_the_instrument_decides_the_charge_and_every_charge_is_stored(
    api: httpx.Client, instrument: tokens.Instrument, status: int, decline_code: str | None
) -> None:
    token = tokens.wallet_token(instrument, "test:owner")
    answer = charge(api, token, "key-1")
    assert answer.status_code == status
    body = answer.json()
    assert body["status"] == ("succeeded" if status == 200 else "declined")
    assert body.get("decline_code") == decline_code
    assert (body["brand"], body["last4"], body["kind"]) == (
        instrument.brand, instrument.last4, instrument.kind.value,
    )  # fmt: skip
    [stored] = charges(api)
    assert stored["charge_id"] == body["charge_id"]
    assert (stored["merchant"], stored["token"], stored["amount_cents"], stored["status"]) == (
        MERCHANT, token, 1250, body["status"],
    )  # fmt: skip


def test_a_token_not_issued_here_is_refused_and_not_charged(api: httpx.Client) -> None:
    genuine = tokens.mint(tokens.VISA_APPROVED)
    forged = genuine[:-1] + ("0" if genuine[-1] != "0" else "1")
    for token in (forged, "tok_4242424242424242", "card"):
        answer = charge(api, token, f"key-{token}")
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_token"
    assert charges(api) == []


def test_the_same_idempotency_key_answers_the_first_result(api: httpx.Client) -> None:
    first = charge(api, tokens.mint(tokens.VISA_APPROVED), "same-key")
    again = charge(api, tokens.mint(tokens.VISA_DECLINED), "same-key", amount_cents=99)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    declined = charge(api, tokens.mint(tokens.VISA_DECLINED), "other-key")
    assert charge(api, tokens.mint(tokens.VISA_APPROVED), "other-key").json() == declined.json()
    assert len(charges(api)) == 2


def test_refunds_only_on_a_succeeded_charge_and_never_more_than_charged(
    api: httpx.Client,
) -> None:
    paid = charge(api, tokens.mint(tokens.VISA_APPROVED), "pay").json()["charge_id"]
    declined = charge(api, tokens.mint(tokens.VISA_DECLINED), "fail").json()["charge_id"]

    def refund(charge_id: str, amount_cents: int, key: str) -> httpx.Response:
        return api.post(
            "/v1/refunds",
            json={"charge_id": charge_id, "amount_cents": amount_cents, "idempotency_key": key},
        )

    first = refund(paid, 1000, "r1")
    assert first.status_code == 200 and first.json()["status"] == "succeeded"
    assert refund(paid, 1000, "r1").json() == first.json()  # replayed, not refunded twice
    assert refund(paid, 251, "r2").json()["error"] == "amount_exceeds_charge"
    assert refund(paid, 250, "r3").status_code == 200
    assert refund(declined, 100, "r4").json()["error"] == "charge_not_refundable"
    assert refund("ch_unknown", 100, "r5").status_code == 404
    assert {c["charge_id"]: c["refunded_cents"] for c in charges(api)} == {paid: 1250, declined: 0}


def test_checkout_session_refuses_unknown_saved_tokens(api: httpx.Client) -> None:
    answer = api.post(
        "/v1/checkout-sessions",
        json={"merchant": MERCHANT, "parent_origin": "http://127.0.0.1:1234",
              "saved_tokens": ["tok_000000000000000000000000"]},
    )  # fmt: skip
    assert answer.status_code == 400


# --- hosted fields in Chromium -------------------------------------------------------------

PARENT_PAGE = """<!doctype html><html><head><title>Checkout</title></head><body>
<h1>Checkout</h1>
<iframe title="Payment details" src="{frame}" width="420" height="520"></iframe>
<script>
  window.messages = [];
  window.addEventListener("message", (event) => {{
    window.messages.push({{origin: event.origin, data: event.data}});
  }});
</script></body></html>"""


class _ParentPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        frame = parse_qs(urlsplit(self.path).query).get("frame", [""])[0]
        body = PARENT_PAGE.format(frame=frame).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def parent_origin() -> Iterator[str]:
    """A checkout page on an origin of its own (another port), like a portal's."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _ParentPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest_asyncio.fixture
async def page(browser_pool: BrowserPool) -> AsyncIterator[Page]:
    async with browser_pool.context() as context:
        yield await context.new_page()


def expire_sessions(api: httpx.Client) -> dict[str, int]:
    expired: dict[str, int] = api.post("/__sandbox__/checkout-sessions/expire").json()
    return expired


def open_session(api: httpx.Client, parent_origin: str, saved: list[str]) -> str:
    answer = api.post(
        "/v1/checkout-sessions",
        json={"merchant": MERCHANT, "parent_origin": parent_origin, "saved_tokens": saved},
    )
    answer.raise_for_status()
    url: str = answer.json()["url"]
    return url


def frame_response(api: httpx.Client, frame_url: str) -> httpx.Response:
    """The iframe document as the browser would get it (sync: tests, not the event loop's work)."""
    return api.get(frame_url)


async def checkout(page: Page, parent_origin: str, frame_url: str) -> FrameLocator:
    await page.goto(f"{parent_origin}/?frame={frame_url}")
    return page.frame_locator("iframe[title='Payment details']")


async def received(page: Page) -> dict[str, Any]:
    await page.wait_for_function("window.messages.length > 0", timeout=10_000)
    [message] = await page.evaluate("window.messages")
    result: dict[str, Any] = message
    return result


async def test_a_typed_test_visa_reaches_the_parent_as_a_token(
    api: httpx.Client, page: Page, parent_origin: str
) -> None:
    saved = tokens.wallet_token(tokens.MASTERCARD_APPROVED, "test:owner")
    frame_url = open_session(api, parent_origin, [saved])
    headers = frame_response(api, frame_url).headers
    assert headers["content-security-policy"] == f"frame-ancestors {parent_origin}"
    assert "x-frame-options" not in headers
    fields = await checkout(page, parent_origin, frame_url)
    await fields.get_by_label("Enter a new card").check()
    await fields.get_by_label("Card number").fill("4242 4242 4242 4242")
    await fields.get_by_label("Expiration (MM/YY)").fill("12/40")
    await fields.get_by_label("Security code").fill("123")
    await fields.get_by_label("ZIP code").fill("94110")
    await fields.get_by_role("button", name="Use this payment method").click()
    message = await received(page)
    processor_origin = frame_url.split("/hosted-fields/")[0]
    assert message["origin"] == processor_origin
    data = message["data"]
    assert data["type"] == "processor.payment_method"
    assert data["token"].startswith("tok_") and data["token"] != saved
    assert tokens.read(data["token"]) == tokens.VISA_APPROVED
    assert (data["brand"], data["last4"], data["kind"]) == ("Visa", "4242", "card")
    await expect(fields.get_by_role("status")).to_have_text(
        "Payment method ready: Visa ending in 4242"
    )
    assert "4242424242424242" not in (await page.content())


async def test_a_saved_method_hands_over_its_own_token(
    api: httpx.Client, page: Page, parent_origin: str
) -> None:
    card = tokens.wallet_token(tokens.VISA_APPROVED, "test:owner")
    bank = tokens.wallet_token(tokens.ACH_CHECKING, "test:owner")
    fields = await checkout(page, parent_origin, open_session(api, parent_origin, [card, bank]))
    await expect(fields.get_by_label("Visa ending in 4242")).to_be_checked()
    await fields.get_by_label("Checking ending in 6789").check()
    await fields.get_by_role("button", name="Use this payment method").click()
    data = (await received(page))["data"]
    assert (data["token"], data["brand"], data["last4"], data["kind"]) == (
        bank, "Checking", "6789", "ach",
    )  # fmt: skip


async def test_a_typed_test_bank_account_becomes_a_bank_token(
    api: httpx.Client, page: Page, parent_origin: str
) -> None:
    fields = await checkout(page, parent_origin, open_session(api, parent_origin, []))
    await fields.get_by_label("Enter a new bank account").check()
    await fields.get_by_label("Routing number").fill(tokens.TEST_ROUTING_NUMBER)
    await fields.get_by_label("Account number").fill(tokens.TEST_BANK_ACCOUNT)
    await fields.get_by_role("button", name="Use this payment method").click()
    data = (await received(page))["data"]
    assert data["token"].startswith("btok_")
    assert tokens.read(data["token"]) == tokens.ACH_CHECKING


async def test_a_number_that_is_not_a_test_card_is_refused_inside_the_frame(
    api: httpx.Client, page: Page, parent_origin: str
) -> None:
    fields = await checkout(page, parent_origin, open_session(api, parent_origin, []))
    await expect(fields.get_by_label("Enter a new card")).to_be_checked()
    await fields.get_by_label("Card number").fill("4111 1111 1111 1111")
    await fields.get_by_label("Expiration (MM/YY)").fill("12/40")
    await fields.get_by_label("Security code").fill("123")
    await fields.get_by_label("ZIP code").fill("94110")
    await fields.get_by_role("button", name="Use this payment method").click()
    await expect(fields.get_by_role("alert")).to_contain_text("not accepted")
    await fields.get_by_label("Card number").fill("4242 4242 4242 4241")
    await fields.get_by_role("button", name="Use this payment method").click()
    await expect(fields.get_by_role("alert")).to_have_text("Enter a valid card number.")
    assert await page.evaluate("window.messages") == []


async def test_an_expired_session_shows_a_410_page(
    api: httpx.Client, page: Page, parent_origin: str
) -> None:
    frame_url = open_session(api, parent_origin, [])
    assert expire_sessions(api) == {"expired": 1}
    assert frame_response(api, frame_url).status_code == 410
    fields = await checkout(page, parent_origin, frame_url)
    await expect(fields.get_by_role("heading")).to_have_text("This payment session has expired")
