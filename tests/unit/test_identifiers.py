"""Identifiers Temporal keeps in clear (workflow ids) must be opaque: no patient data."""

from __future__ import annotations

import uuid

import pytest

from models.errors import CardNumberRefused, InvalidInput
from models.identifiers import refuse_personal_data_in_id
from models.payments import PostPaymentRequest


@pytest.mark.parametrize(
    "value",
    ["invoice-8812", "k", "demo-1a2b3c", "a:b.c_d-e", "clinic-a", "INV.2026.0042", "demo-2026-11"],
)
def test_opaque_ids_pass(value: str) -> None:
    refuse_personal_data_in_id(value, "idempotency_key")


def test_random_ids_always_pass() -> None:
    """UUIDs, the recommended keys, hold digit runs by chance: none may be refused."""
    for _ in range(20_000):
        refuse_personal_data_in_id(str(uuid.uuid4()), "idempotency_key")
        refuse_personal_data_in_id(f"pay-{uuid.uuid4().hex}", "idempotency_key")


@pytest.mark.parametrize(
    "value",
    [
        "Jordan Rivera",  # a name: spaces are not allowed
        "jordan.rivera@example.com",
        "rivera-1984-03-14",
        "rivera-03-14-1984",
        "rivera.03.14.1984",
        "cb-555-010-0112",
        "a/b",
        "",
        "x" * 201,
    ],
)
def test_personal_data_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        refuse_personal_data_in_id(value, "idempotency_key")
    assert "idempotency_key" in refused.value.message
    assert not value or value not in refused.value.message


def test_card_numbers_are_refused_as_such() -> None:
    with pytest.raises(CardNumberRefused):
        refuse_personal_data_in_id("4242-4242-4242-4242", "idempotency_key")


@pytest.mark.parametrize("field", ["idempotency_key", "connection_id"])
def test_a_payment_request_refuses_personal_data_in_its_ids(field: str) -> None:
    request = PostPaymentRequest(
        connection_id="clinic-a",
        statement_id="ST-100083",
        amount_cents=2500,
        payment_method_token="tok_014e6cf058879238ac19fa5f",
        idempotency_key="invoice-8812",
    )
    request.validate_for_posting()
    with pytest.raises(InvalidInput, match=field):
        request.model_copy(update={field: "rivera-1984-03-14"}).validate_for_posting()
