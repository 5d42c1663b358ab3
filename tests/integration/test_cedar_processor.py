"""Cedar charging through the sandbox processor: declines, bank accounts and accounts, over
plain HTTP and through the adapter in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from models.connections import Credentials
from models.errors import InsufficientFunds, PaymentDeclined
from models.money import Money
from models.payments import PaymentMethodKind, PaymentSubmission
from portals.cedar.adapter import CedarAdapter
from portals.one_time_codes import Totp
from sandbox.admin_client import SandboxAdmin, SandboxUser
from sandbox.cedar.charging import MERCHANT
from sandbox.cedar.seed import (
    DEMO_BANK_TOKEN,
    DEMO_CARD_TOKEN,
    DEMO_DECLINED_CARD_TOKEN,
    DEMO_INSUFFICIENT_CARD_TOKEN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERNAME,
)
from sandbox.launcher import PortalProcess

DECLINED = "Your card was declined. Use another payment method."
INSUFFICIENT = "Insufficient funds. Use another payment method."


@pytest.fixture
def processor_api(processor: PortalProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=processor.base_url, timeout=10.0) as client:
        client.post("/__sandbox__/reset").raise_for_status()
        yield client


def cedar_charges(api: httpx.Client) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get("/v1/charges", params={"merchant": MERCHANT}).json()[
        "charges"
    ]
    return found


@pytest.fixture
def demo(cedar_admin: SandboxAdmin) -> SandboxUser:
    return cedar_admin.user(DEMO_USERNAME)


@contextmanager
def signed_in_client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        client.post("/login", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
        code = Totp(DEMO_TOTP_SECRET).now()
        landed = client.post("/mfa", data={"code": code}, follow_redirects=True)
        assert landed.url.path == "/statements"
        yield client


def pay(client: httpx.Client, statement_id: str, token: str, **extra: str) -> httpx.Response:
    return client.post(
        f"/statements/{statement_id}/pay",
        data={"amount_option": "other", "amount": "12.34", "payment_method": token,
              "reference": "ref-processor", **extra},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("token", "message", "decline_code"),
    [(DEMO_DECLINED_CARD_TOKEN, DECLINED, "card_declined"),
     (DEMO_INSUFFICIENT_CARD_TOKEN, INSUFFICIENT, "insufficient_funds")],
    ids=["declined", "insufficient_funds"],
)  # fmt: skip
def test_a_declined_charge_is_a_form_error_and_records_nothing(
    cedar_portal: PortalProcess, cedar_admin: SandboxAdmin, processor_api: httpx.Client,
    demo: SandboxUser, token: str, message: str, decline_code: str,
) -> None:  # fmt: skip
    statement = demo.statements[0]
    with signed_in_client(cedar_portal.base_url) as client:
        answer = pay(client, statement.statement_id, token)
    assert answer.status_code == 402
    assert message in answer.text
    assert cedar_admin.ledger() == []
    assert cedar_admin.statement(statement.statement_id).balance_cents == statement.balance_cents
    [charge] = cedar_charges(processor_api)
    assert (charge["token"], charge["status"], charge["decline_code"]) == (
        token, "declined", decline_code,
    )  # fmt: skip


def test_one_form_submitted_twice_charges_and_records_once(
    cedar_portal: PortalProcess, cedar_admin: SandboxAdmin, processor_api: httpx.Client,
    demo: SandboxUser,
) -> None:  # fmt: skip
    statement_id = demo.statements[0].statement_id
    with signed_in_client(cedar_portal.base_url) as client:
        form = client.get(f"/statements/{statement_id}/pay").text
        match = re.search(r'name="checkout_id" value="([^"]+)"', form)
        assert match is not None
        first = pay(client, statement_id, DEMO_CARD_TOKEN, checkout_id=match[1])
        again = pay(client, statement_id, DEMO_CARD_TOKEN, checkout_id=match[1])
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(cedar_admin.ledger()) == 1
    assert [c["status"] for c in cedar_charges(processor_api)] == ["succeeded"]


def test_bank_account_pays_and_shows_as_checking(
    cedar_portal: PortalProcess, cedar_admin: SandboxAdmin, processor_api: httpx.Client,
    demo: SandboxUser,
) -> None:  # fmt: skip
    with signed_in_client(cedar_portal.base_url) as client:
        assert (
            "Checking ending in 6789"
            in client.get(f"/statements/{demo.statements[0].statement_id}/pay").text
        )
        answer = pay(client, demo.statements[0].statement_id, DEMO_BANK_TOKEN)
        assert answer.status_code == 303
        assert "Checking ending in 6789" in client.get(answer.headers["location"]).text
    [payment] = cedar_admin.ledger()
    assert payment.card_token == DEMO_BANK_TOKEN
    [charge] = cedar_charges(processor_api)
    assert (charge["kind"], charge["status"], charge["amount_cents"]) == ("ach", "succeeded", 1234)


def test_statement_and_accounts_ground_truth(
    cedar_portal: PortalProcess, cedar_admin: SandboxAdmin, demo: SandboxUser
) -> None:
    statement = cedar_admin.statement(demo.statements[0].statement_id)
    assert [m.token for m in statement.payment_methods] == [
        DEMO_CARD_TOKEN, DEMO_BANK_TOKEN, DEMO_DECLINED_CARD_TOKEN, DEMO_INSUFFICIENT_CARD_TOKEN,
    ]  # fmt: skip
    [account] = cedar_admin.accounts(DEMO_USERNAME)
    assert (account.guarantor_id, account.guarantor_name) == (DEMO_USERNAME, demo.full_name)
    assert account.account_id == demo.statements[0].account_number
    assert account.balance_cents == sum(s.balance_cents for s in demo.statements)
    with signed_in_client(cedar_portal.base_url) as client:
        page = client.get("/account").text
        reference = client.get("/__sandbox__/").text
    assert demo.full_name in page and account.account_id in page
    assert DEMO_DECLINED_CARD_TOKEN in reference and "Checking ending in 6789" in reference


def test_standalone_cedar_declines_from_the_token(tmp_path: Path) -> None:
    """Without --processor-url, the token's test instrument decides the same way."""
    standalone = PortalProcess("cedar", tmp_path / "cedar.sqlite3", log_path=tmp_path / "log")
    with standalone as cedar, SandboxAdmin(cedar.base_url) as admin:
        statement_id = admin.user(DEMO_USERNAME).statements[0].statement_id
        with signed_in_client(cedar.base_url) as client:
            declined = pay(client, statement_id, DEMO_INSUFFICIENT_CARD_TOKEN)
            paid = pay(client, statement_id, DEMO_CARD_TOKEN)
        assert declined.status_code == 402 and INSUFFICIENT in declined.text
        assert paid.status_code == 303
        assert [p.card_token for p in admin.ledger()] == [DEMO_CARD_TOKEN]


# --- through the adapter, in Chromium ---------------------------------------------------------


@pytest.fixture
async def signed_in(cedar: CedarAdapter, demo: SandboxUser) -> CedarAdapter:
    await cedar.login(
        Credentials(username=demo.username, password=SecretStr(demo.password),
                    totp_secret=SecretStr(demo.totp_secret))
    )  # fmt: skip
    return cedar


def submission(demo: SandboxUser, token: str, reference: str) -> PaymentSubmission:
    return PaymentSubmission(
        statement_id=demo.statements[0].statement_id, amount=Money(amount_cents=1500),
        payment_method_token=token, reference=reference,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("token", "error"),
    [(DEMO_DECLINED_CARD_TOKEN, PaymentDeclined),
     (DEMO_INSUFFICIENT_CARD_TOKEN, InsufficientFunds)],
    ids=["declined", "insufficient_funds"],
)  # fmt: skip
async def test_adapter_raises_the_typed_decline_and_nothing_is_recorded(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin,
    processor_api: httpx.Client, token: str, error: type[PaymentDeclined],
) -> None:  # fmt: skip
    with pytest.raises(error) as caught:
        await signed_in.submit_payment(submission(demo, token, "ref-declined"))
    assert type(caught.value) is error
    assert cedar_admin.ledger() == []
    assert await signed_in.find_payment("ref-declined") is None
    [charge] = cedar_charges(processor_api)
    assert (charge["token"], charge["status"]) == (token, "declined")


async def test_adapter_pays_from_the_bank_account(
    signed_in: CedarAdapter, demo: SandboxUser, cedar_admin: SandboxAdmin
) -> None:
    payment = (await signed_in.submit_payment(submission(demo, DEMO_BANK_TOKEN, "ref-ach"))).payment
    assert (payment.method_kind, payment.method_last4) == (PaymentMethodKind.ACH, "6789")
    [recorded] = cedar_admin.ledger(reference="ref-ach")
    assert (recorded.card_token, recorded.confirmation_number) == (
        DEMO_BANK_TOKEN, payment.confirmation_number,
    )  # fmt: skip
    found = await signed_in.find_payment("ref-ach")
    assert found is not None and found.method_kind is PaymentMethodKind.ACH


async def test_list_accounts_agrees_with_the_sandbox(
    signed_in: CedarAdapter, cedar_admin: SandboxAdmin
) -> None:
    accounts = await signed_in.list_accounts()
    truth = cedar_admin.accounts(DEMO_USERNAME)
    assert [
        (a.identifier, a.guarantor.identifier, a.guarantor.name, a.balance.amount_cents)
        for a in accounts
    ] == [(t.account_id, t.guarantor_id, t.guarantor_name, t.balance_cents) for t in truth]
