"""Pure rules: card-number refusal, amounts, references, typed errors, request checks."""

from __future__ import annotations

import pytest
from temporalio.exceptions import ApplicationError

from models.card_numbers import contains_card_number, luhn_valid
from models.errors import (
    NON_RETRYABLE_ERROR_TYPES,
    AmountExceedsBalance,
    CardNumberRefused,
    InvalidAmount,
    PortalUnavailable,
    as_typed_error,
)
from models.money import Money, parse_amount_to_cents
from models.payments import PostPaymentRequest
from workflows.references import client_reference


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424242",
        "4242 4242 4242 4242",
        "4111-1111-1111-1111",
        "378282246310005",
        "card 5555 5555 5555 4444 please",
        "6011111111111117",
        "4000056655665556",
    ],
)
def test_card_numbers_are_found_in_every_format(text: str) -> None:
    assert contains_card_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "tok_c0ffee00d15ea5e0ba5eba11",
        "4242424242424241",
        "ST-100123",
        "123456",
        "BB-1234",
        "2026-11-22",
    ],
)
def test_tokens_and_other_numbers_pass(text: str) -> None:
    assert not contains_card_number(text)


def test_luhn() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("$1,234.50", 123450),
        ("12.5", 1250),
        ("0.29", 29),
        ("-$3.00", -300),
        ("($3.00)", -300),
        ("7", 700),
    ],
)
def test_amount_parsing_is_exact(text: str, cents: int) -> None:
    assert parse_amount_to_cents(text) == cents


@pytest.mark.parametrize("text", ["", "$", "abc", "1.234", "1,23.00"])
def test_amount_parsing_refuses_non_amounts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount_to_cents(text)


def test_money_displays_dollars() -> None:
    assert str(Money(amount_cents=123456)) == "$1,234.56"
    assert str(Money(amount_cents=-5)) == "-$0.05"


def test_client_reference_is_stable_short_and_hides_the_key() -> None:
    reference = client_reference("payment-patient-jane-doe")
    assert reference == client_reference("payment-patient-jane-doe")
    assert reference != client_reference("payment-other")
    assert reference.startswith("BB-") and len(reference) == 19
    assert "jane" not in reference.lower()


def _request(**change: object) -> PostPaymentRequest:
    base = PostPaymentRequest(
        connection_id="c",
        statement_id="ST-1",
        amount_cents=100,
        payment_method_token="tok_abc",
        idempotency_key="k",
    )
    return base.model_copy(update=change)


def test_request_checks() -> None:
    _request().validate_for_posting()
    with pytest.raises(InvalidAmount):
        _request(amount_cents=0).validate_for_posting()
    with pytest.raises(CardNumberRefused) as caught:
        _request(payment_method_token="4242-4242-4242-4242").validate_for_posting()
    assert "4242" not in caught.value.message
    assert "token" in caught.value.message


def test_typed_errors_carry_their_type_and_retryability() -> None:
    assert AmountExceedsBalance("x").type == "AmountExceedsBalance"
    assert AmountExceedsBalance("x").non_retryable
    assert not PortalUnavailable("x").non_retryable
    assert "PortalUnavailable" not in NON_RETRYABLE_ERROR_TYPES
    assert "BadCredentials" in NON_RETRYABLE_ERROR_TYPES
    wrapped = RuntimeError("outer")
    wrapped.__cause__ = ApplicationError("too much", type="AmountExceedsBalance")
    rebuilt = as_typed_error(wrapped)
    assert isinstance(rebuilt, AmountExceedsBalance) and rebuilt.message == "too much"
