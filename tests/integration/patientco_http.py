"""Driving the Patientco sandbox over plain HTTP (httpx following redirects like a browser):
the SSO sign-in through Patientco ID, posting payments, voids and refunds."""

from __future__ import annotations

import re

import httpx

from portals.one_time_codes import Totp
from sandbox.patientco.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_USERNAME

_REQUEST = re.compile(r'name="request" value="([^"]+)"')
_SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')


def idp_origin(response: httpx.Response) -> str:
    return f"{response.url.scheme}://{response.url.netloc.decode()}"


def start_sign_in(client: httpx.Client, login: str, password: str) -> httpx.Response:
    """Console /login → Patientco ID's sign-in page → submit the password."""
    page = client.get("/login", follow_redirects=True)
    found = _REQUEST.search(page.text)
    assert found is not None, "Patientco ID's sign-in page did not show"
    return client.post(f"{idp_origin(page)}/signin",
                       data={"request": found[1], "login": login, "password": password},
                       follow_redirects=True)  # fmt: skip


def enter_code(client: httpx.Client, verify_page: httpx.Response, code: str) -> httpx.Response:
    return client.post(f"{idp_origin(verify_page)}/signin/verify", data={"code": code},
                       follow_redirects=True)  # fmt: skip


def sign_in_demo(client: httpx.Client) -> httpx.Response:
    verify = start_sign_in(client, DEMO_USERNAME, DEMO_PASSWORD)
    landed = enter_code(client, verify, Totp(DEMO_TOTP_SECRET).now())
    assert landed.url.path == "/accounts", landed.url
    return landed


def post_payment(
    client: httpx.Client,
    account_number: str,
    *,
    token: str,
    amount: str,
    reference: str,
    statement_id: str = "",
) -> httpx.Response:
    """Open the form (for its submission id) and submit it; the answer is not followed."""
    form = client.get(f"/accounts/{account_number}/post-payment")
    submission = _SUBMISSION.search(form.text)
    assert submission is not None, form.text[:200]
    return client.post(
        f"/accounts/{account_number}/post-payment",
        data={"apply_to": statement_id, "method": token, "amount": amount,
              "reference": reference, "submission": submission[1]},
    )  # fmt: skip


def refund(client: httpx.Client, transaction_id: str, amount: str, reason: str) -> httpx.Response:
    return client.post(f"/transactions/{transaction_id}/refund",
                       data={"amount": amount, "reason": reason})  # fmt: skip


def void(client: httpx.Client, transaction_id: str, reason: str = "PTR") -> httpx.Response:
    return client.post(f"/transactions/{transaction_id}/void", data={"reason": reason})
