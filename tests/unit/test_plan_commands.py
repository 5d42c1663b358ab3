"""``billbridge plan``: every subcommand reaches a handler, and input is judged before a
server is dialed."""

from __future__ import annotations

import argparse

import pytest

from models.errors import CardNumberRefused, InvalidAmount, InvalidInput
from starters.cli.app import build_parser
from starters.cli.plan_commands import enrollment_request


def _enroll(*extra: str) -> argparse.Namespace:
    base = ["plan", "enroll", "--connection", "c1", "--statement", "ST-1", "--method", "tok_x"]
    return build_parser().parse_args([*base, *extra])


def test_every_plan_command_has_its_handler() -> None:
    parser = build_parser()
    for argv in (
        ["plan", "show", "k1"],
        ["plan", "pause", "k1"],
        ["plan", "resume", "k1"],
        ["plan", "cancel", "k1"],
        ["plan", "change", "k1", "--method", "tok_y"],
        ["plan", "change", "k1", "--installment", "150.00"],
    ):
        assert parser.parse_args(argv).handler is not None


def test_an_enrollment_is_judged_before_it_is_sent() -> None:
    request = enrollment_request(_enroll("--installment", "100.00", "--idempotency-key", "k1"))
    assert (request.installment_amount_cents, request.idempotency_key) == (10_000, "k1")
    with pytest.raises(InvalidAmount):
        enrollment_request(_enroll("--installment", "0"))
    with pytest.raises(InvalidInput, match=r"--installment must look like 100\.00"):
        enrollment_request(_enroll("--installment", "a hundred"))
    with pytest.raises(CardNumberRefused):
        enrollment_request(
            build_parser().parse_args(
                ["plan", "enroll", "--connection", "c1", "--statement", "ST-1",
                 "--method", "4242424242424242", "--installment", "100.00"]
            )
        )  # fmt: skip


def test_a_change_names_one_thing_to_change() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "change", "k1"])
