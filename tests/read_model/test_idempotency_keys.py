"""Idempotency keys in the read model, on SQLite and PostgreSQL: insert-first claims, one
winner among concurrent requests, conflicts, in-progress, abandoned claims, tenants apart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from models.connections import PortalName
from models.errors import IdempotencyConflict
from models.operations import IdempotencyState, OperationKind
from models.pages import PageRequest
from stores.read_model.idempotency_keys import (
    IdempotencyKeyInUse,
    IdempotencyKeys,
    OperationNotFound,
)
from stores.read_model.migrate import upgrade
from stores.read_model.tenant_connections import TenantConnections

CONCURRENT_REQUESTS = 10


@pytest.fixture
def keys(engine: Engine) -> IdempotencyKeys:
    upgrade(engine)
    connections = TenantConnections(engine)
    connections.add("acme", "conn_a", PortalName.CEDAR, "https://cedar.example")
    connections.add("globex", "conn_g", PortalName.CEDAR, "https://cedar.example")
    return IdempotencyKeys(engine)


def claim(
    keys: IdempotencyKeys, tenant: str = "acme", key: str = "k1", fingerprint: str = "f" * 64
) -> tuple[str, bool]:
    record, mine = keys.claim(
        tenant, key, kind=OperationKind.PAYMENT, fingerprint=fingerprint,
        workflow_id=f"payment-{tenant}.{key}", connection_id="conn_a",
    )  # fmt: skip
    return record.id, mine


def test_a_key_is_claimed_once_then_answers_with_its_operation(keys: IdempotencyKeys) -> None:
    first, mine = claim(keys)
    assert mine and first.startswith("op_")
    with pytest.raises(IdempotencyKeyInUse) as in_use:
        claim(keys)  # still being accepted
    assert in_use.value.operation_id == first
    keys.accepted(first)
    assert claim(keys) == (first, False)
    assert keys.get("acme", first).state is IdempotencyState.ACCEPTED


def test_the_same_key_with_another_request_is_a_conflict(keys: IdempotencyKeys) -> None:
    claim(keys)
    with pytest.raises(IdempotencyConflict):
        claim(keys, fingerprint="0" * 64)


def test_keys_are_per_tenant(keys: IdempotencyKeys) -> None:
    ours, _ = claim(keys, "acme")
    theirs, mine = claim(keys, "globex", fingerprint="0" * 64)
    assert mine and theirs != ours
    with pytest.raises(OperationNotFound):
        keys.get("globex", ours)
    assert [r.id for r in keys.list("acme", PageRequest()).data] == [ours]


def test_concurrent_claims_of_one_key_have_one_winner(keys: IdempotencyKeys) -> None:
    def attempt(_: int) -> str:
        try:
            operation, mine = claim(keys)
        except IdempotencyKeyInUse as err:
            return f"in-use:{err.operation_id}"
        return f"{'won' if mine else 'replayed'}:{operation}"

    with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
        answers = list(pool.map(attempt, range(CONCURRENT_REQUESTS)))
    winners = [a for a in answers if a.startswith("won:")]
    assert len(winners) == 1, answers
    operation = winners[0].removeprefix("won:")
    assert {a.split(":", 1)[1] for a in answers} == {operation}


def test_a_released_claim_frees_the_key_and_an_abandoned_one_is_taken_over(
    engine: Engine, keys: IdempotencyKeys
) -> None:
    first, _ = claim(keys)
    keys.release(first)
    second, mine = claim(keys)
    assert mine and second != first
    later = IdempotencyKeys(engine, clock=lambda: datetime.now(UTC) + timedelta(minutes=5))
    taken, mine = claim(later)
    assert (taken, mine) == (second, True)
    with pytest.raises(IdempotencyKeyInUse):
        claim(later)  # the takeover is a fresh claim


def test_operations_page_by_kind(keys: IdempotencyKeys) -> None:
    made = [claim(keys, key=f"k{i}")[0] for i in range(3)]
    refund, _ = keys.claim(
        "acme", "r1", kind=OperationKind.REFUND, fingerprint="r" * 64,
        workflow_id="refund-acme.r1", connection_id="conn_a",
    )  # fmt: skip
    page = keys.list("acme", PageRequest(limit=2), OperationKind.PAYMENT)
    assert [r.id for r in page.data] == made[:2] and page.has_more
    rest = keys.list("acme", PageRequest(starting_after=made[1]), OperationKind.PAYMENT)
    assert [r.id for r in rest.data] == made[2:]
    assert [r.id for r in keys.list("acme", PageRequest(), OperationKind.REFUND).data] == [
        refund.id
    ]
