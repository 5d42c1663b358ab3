"""Card numbers (PANs) are found in every format and refused with a message that names the
field and points to tokenization, never echoing the digits; tokens and other numbers pass."""

from __future__ import annotations

import re
import uuid

import pytest
from pydantic import BaseModel

from models.card_numbers import (
    contains_card_number,
    find_card_numbers,
    refuse_card_number,
    refuse_card_numbers_in,
)
from models.connection_session import AcquireSession, MfaCodeSubmission, SessionWorkflowInput
from models.errors import CardNumberRefused, InvalidInput
from models.payments import PostPaymentRequest
from sandbox.processor.tokens import (
    ACH_CHECKING,
    INSTRUMENTS,
    TEST_CARD_NUMBERS,
    VISA_APPROVED,
    mint,
    wallet_token,
)

# Card brands' published test numbers, one per length BillBridge must refuse.
PUBLISHED_TEST_PANS = {
    "visa-13": "4222222222222",
    "maestro-13": "6759000000005",  # Maestro range, Luhn check digit
    "diners-14": "36227206271667",
    "diners-14-carte-blanche": "30569309025904",
    "amex-15": "378282246310005",
    "amex-15-b": "371449635398431",
    "visa-16": "4242424242424242",
    "visa-16-b": "4111111111111111",
    "mastercard-16": "5555555555554444",
    "mastercard-2-series-16": "2223003122003222",
    "discover-16": "6011111111111117",
    "jcb-16": "3566002020360505",
    "unionpay-16": "6200000000000005",
    "maestro-16": "6759649826438453",
    "unionpay-19": "6205500000000000004",
    "maestro-19": "6799990100000000019",
}


def _grouped(pan: str, sizes: tuple[int, ...], separator: str) -> str:
    groups, start = [], 0
    for size in sizes:
        groups.append(pan[start : start + size])
        start += size
    if start < len(pan):
        groups.append(pan[start:])
    return separator.join(groups)


def _formats(pan: str) -> list[str]:
    """Plain, in fours with spaces or dashes, Amex's 4-6-5, and inside a sentence."""
    fours = tuple([4] * (len(pan) // 4))
    return [
        pan,
        _grouped(pan, fours, " "),
        _grouped(pan, fours, "-"),
        _grouped(pan, (4, 6), " "),
        _grouped(pan, (4, 6), "-"),
        _grouped(pan, fours, "\u00a0"),
        f"please charge {_grouped(pan, fours, ' ')} exp 12 30, thanks",
        f"card={pan};",
    ]


@pytest.mark.parametrize("brand", sorted(PUBLISHED_TEST_PANS))
def test_published_test_pans_are_found_in_every_format(brand: str) -> None:
    pan = PUBLISHED_TEST_PANS[brand]
    for text in _formats(pan):
        assert contains_card_number(text), text
        [(start, end)] = list(find_card_numbers(text))
        assert re.sub(r"\D", "", text[start:end]) == pan


@pytest.mark.parametrize("brand", sorted(PUBLISHED_TEST_PANS))
def test_refusal_names_the_field_points_to_tokenization_and_hides_the_digits(brand: str) -> None:
    pan = PUBLISHED_TEST_PANS[brand]
    for text in _formats(pan):
        with pytest.raises(CardNumberRefused) as caught:
            refuse_card_number(text, "payment_method_token")
        message = caught.value.message
        assert message.startswith("payment_method_token looks like a card number")
        assert "tokenization" in message and "tok_" in message
        assert not re.search(r"\d{4}", message), message
        assert isinstance(caught.value, InvalidInput) and caught.value.non_retryable


def test_the_sandbox_processors_test_cards_are_card_numbers() -> None:
    for number in TEST_CARD_NUMBERS:
        assert contains_card_number(number)


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424241",  # fails Luhn
        "4242 4242 4242 4241",
        "3782-822463-10006",
        "422222222222",  # 12 digits
        "12345678901234567890",  # 20 digits, one run: an id, not a PAN
        "tok_c0ffee00d15ea5e0ba5eba11",
        "btok_0a1b2c3d4e5f60718293a4b5",
        "ST-100123",
        "MRN1234567",
        "+1 555-010-0112",
        "2025-06-30",
        "BB-3f9a2c41d07e5b68",
        "$1,234.56",
        "",
    ],
)
def test_tokens_and_other_numbers_pass(text: str) -> None:
    assert not contains_card_number(text)
    refuse_card_number(text, "field")


def test_processor_tokens_always_pass() -> None:
    for instrument in INSTRUMENTS.values():
        for nonce in range(50):
            refuse_card_number(mint(instrument, nonce.to_bytes(5, "big")), "token")
    refuse_card_number(wallet_token(VISA_APPROVED, "cedar:demo.patient"), "token")
    refuse_card_number(wallet_token(ACH_CHECKING, "cedar:demo.patient"), "token")


class _Inner(BaseModel):
    notes: list[str] = []
    labels: dict[str, str] = {}


class _Outer(BaseModel):
    name: str
    inner: _Inner
    count: int = 0
    maybe: str | None = None


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (_Outer(name="4242 4242 4242 4242", inner=_Inner()), "model.name"),
        (
            _Outer(name="x", inner=_Inner(notes=["ok", "4111-1111-1111-1111"])),
            "model.inner.notes[1]",
        ),
        (
            _Outer(name="x", inner=_Inner(labels={"memo": "378282246310005"})),
            "model.inner.labels.memo",
        ),
        (
            _Outer(name="x", inner=_Inner(labels={"4242424242424242": "v"})),
            "model.inner.labels key",
        ),
        (_Outer(name="x", inner=_Inner(), maybe="6011111111111117"), "model.maybe"),
        ({"a": [("x", "4242424242424242")]}, "model.a[0][1]"),
    ],
)
def test_every_string_inside_a_model_is_checked(value: object, path: str) -> None:
    with pytest.raises(CardNumberRefused) as caught:
        refuse_card_numbers_in(value, "model")
    assert caught.value.message.startswith(f"{path} looks like a card number")
    assert not re.search(r"\d{4}", caught.value.message)


def test_a_clean_model_passes() -> None:
    refuse_card_numbers_in(_Outer(name="Jane", inner=_Inner(notes=["tok_abc"])), "model")


@pytest.mark.parametrize(
    "field",
    ["connection_id", "statement_id", "payment_method_token", "idempotency_key", "currency"],
)
def test_every_field_of_a_payment_request_is_checked(field: str) -> None:
    request = PostPaymentRequest(
        connection_id="c",
        statement_id="ST-1",
        amount_cents=100,
        payment_method_token="tok_abc",
        idempotency_key="k",
    ).model_copy(update={field: "4242-4242-4242-4242"})
    with pytest.raises(CardNumberRefused) as caught:
        request.validate_for_posting()
    assert caught.value.message.startswith(f"{field} looks like a card number")


@pytest.mark.parametrize(
    "message",
    [
        SessionWorkflowInput(connection_id="4242424242424242"),
        SessionWorkflowInput(connection_id="c", waiters={"4242424242424242": False}),
        AcquireSession(requester_workflow_id="payment-4242 4242 4242 4242"),
        MfaCodeSubmission(code="4222222222222"),
    ],
)
def test_session_messages_with_a_card_number_are_refused(message: BaseModel) -> None:
    with pytest.raises(CardNumberRefused):
        refuse_card_numbers_in(message)


@pytest.mark.parametrize(
    "identifier",
    ["0651a929-0181-4494-9609-4d4e46b68a5e", "52895193-5993-4130-bdfe-3ff11cccb781"],
)
def test_ids_whose_digits_pass_luhn_by_chance_are_no_card_numbers(identifier: str) -> None:
    """Random UUIDs, hex ids included, are what callers use as keys: none is refused."""
    assert not contains_card_number(identifier)
    for _ in range(20_000):
        assert not contains_card_number(str(uuid.uuid4()))
        assert not contains_card_number(f"pay-{uuid.uuid4().hex}")
