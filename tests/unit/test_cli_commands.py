"""The CLI's parser: every command reaches a handler, and input is judged without a server."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from models.errors import InvalidAmount, InvalidInput
from starters.cli.app import build_parser
from starters.cli.commands import require_connection_id
from starters.cli.pay_commands import payment_request


def _leaves(
    parser: argparse.ArgumentParser, path: str
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
    for group in groups:
        for name, child in group.choices.items():
            yield from _leaves(child, f"{path} {name}".strip())


def test_every_command_has_its_handler() -> None:
    leaves = dict(_leaves(build_parser(), ""))

    assert {"pay", "mfa list", "connections repair", "audit pack", "worker", "demo"} <= set(leaves)
    missing = [path for path, parser in leaves.items() if parser.get_default("handler") is None]
    assert missing == []


def test_the_worker_alone_logs_at_info() -> None:
    parser = build_parser()

    assert parser.parse_args(["worker"]).log_level == 20
    assert parser.parse_args(["mfa", "list"]).log_level == 30


def _pay(*extra: str) -> argparse.Namespace:
    base = ["pay", "--connection", "c1", "--statement", "ST-1", "--method", "tok_x"]
    return build_parser().parse_args([*base, *extra])


def test_a_payment_request_is_judged_before_it_is_sent() -> None:
    assert payment_request(_pay("--amount", "25.00")).amount_cents == 2500
    with pytest.raises(InvalidAmount):
        payment_request(_pay("--amount", "-3"))
    with pytest.raises(InvalidInput, match=r"--amount must look like 25\.00"):
        payment_request(_pay("--amount", "ten"))
    with pytest.raises(InvalidInput, match="idempotency_key"):
        payment_request(_pay("--amount", "1", "--idempotency-key", "born 1970-01-31"))


def test_a_connection_id_that_names_no_connection_is_refused_unechoed() -> None:
    require_connection_id("demo-cedar-sms")
    with pytest.raises(InvalidInput) as refused:
        require_connection_id("Jane Doe")
    assert "Jane" not in str(refused.value)
