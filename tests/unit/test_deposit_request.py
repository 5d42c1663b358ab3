"""``billbridge deposit``'s request: judged before any server is asked."""

from __future__ import annotations

import argparse

import pytest

from models.errors import CardNumberRefused, InvalidInput
from starters.cli.app import build_parser
from starters.cli.deposit_commands import deposit_request


def _deposit(*extra: str) -> argparse.Namespace:
    base = ["deposit", "--connection", "c1", "--estimate", "EST-30030", "--method", "tok_x"]
    return build_parser().parse_args([*base, *extra])


def test_a_deposit_request_is_judged_before_it_is_sent() -> None:
    request = deposit_request(_deposit("--idempotency-key", "k-1"))
    assert (request.estimate_id, request.follow_days, request.idempotency_key) == (
        "EST-30030", 14, "k-1",
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        deposit_request(_deposit("--follow-days", "0"))
    with pytest.raises(CardNumberRefused):
        deposit_request(_deposit("--idempotency-key", "4242424242424242"))
