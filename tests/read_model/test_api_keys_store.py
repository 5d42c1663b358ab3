"""API keys in the read model: hashed at rest, scoped, per tenant, revocable, paged."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, text

from models.api_keys import Scope
from models.audit import ActorKind
from models.errors import InvalidInput
from models.pages import PageRequest
from stores.read_model.api_keys import ApiKeyNotFound, ApiKeys
from stores.read_model.migrate import upgrade


@pytest.fixture
def keys(engine: Engine) -> ApiKeys:
    upgrade(engine)
    return ApiKeys(engine)


def test_a_key_is_shown_once_and_stored_only_as_its_hash(keys: ApiKeys, engine: Engine) -> None:
    created = keys.create("acme", "billing-service", [Scope.READ, Scope.PAYMENTS])
    key = created.key.get_secret_value()
    assert key.startswith("bbk_") and created.last4 == key[-4:]
    with engine.connect() as connection:
        dumped = repr(connection.execute(text("SELECT * FROM api_keys")).all())
    assert key not in dumped and key[len("bbk_") :] not in dumped
    # bbk_<key id hex>_<secret>: the secret itself may hold "_" (URL-safe base64).
    secret_part = key.split("_", 2)[2]
    assert secret_part not in dumped
    found = keys.authenticate(key)
    assert found is not None and found.id == created.id
    assert found.scopes == [Scope.READ, Scope.PAYMENTS]
    actor = found.actor()
    assert (actor.kind, actor.id) == (ActorKind.API_KEY, "acme/billing-service")


def test_wrong_forged_and_revoked_keys_do_not_authenticate(keys: ApiKeys) -> None:
    key = keys.create("acme", "svc", [Scope.READ]).key.get_secret_value()
    key_id = "key_" + key[len("bbk_") :].split("_", 1)[0]
    assert keys.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert keys.authenticate("bbk_nothing_here") is None
    assert keys.authenticate("not-a-key") is None
    revoked = keys.revoke(key_id)
    assert revoked.revoked_at is not None
    assert keys.authenticate(key) is None
    assert keys.revoke(key_id).revoked_at == revoked.revoked_at


def test_names_are_unique_per_tenant_and_lookups_stay_in_the_tenant(keys: ApiKeys) -> None:
    first = keys.create("acme", "svc", [Scope.READ])
    keys.create("globex", "svc", [Scope.ADMIN])
    with pytest.raises(InvalidInput, match="already has a key named svc"):
        keys.create("acme", "svc", [Scope.PAYMENTS])
    assert keys.get(first.id, tenant_id="acme").name == "svc"
    with pytest.raises(ApiKeyNotFound):
        keys.get(first.id, tenant_id="globex")
    with pytest.raises(ApiKeyNotFound):
        keys.revoke(first.id, tenant_id="globex")
    assert [k.tenant_id for k in keys.list(PageRequest(), tenant_id="globex").data] == ["globex"]


@pytest.mark.parametrize(
    ("tenant", "name", "scopes"),
    [("Acme Corp", "svc", [Scope.READ]), ("acme", "j.doe@example.com", [Scope.READ]),
     ("acme", "svc", [])],
)  # fmt: skip
def test_tenant_and_key_names_are_slugs_and_a_key_has_a_scope(
    keys: ApiKeys, tenant: str, name: str, scopes: list[Scope]
) -> None:
    with pytest.raises(InvalidInput):
        keys.create(tenant, name, scopes)


def test_pages_follow_insertion_and_stay_stable_under_concurrent_inserts(keys: ApiKeys) -> None:
    first_ten = [keys.create("acme", f"k{i:02d}", [Scope.READ]).id for i in range(10)]
    seen: list[str] = []
    page = keys.list(PageRequest(limit=3), tenant_id="acme")
    inserter_errors: list[BaseException] = []

    def insert_more() -> None:
        try:
            for i in range(10, 20):
                keys.create("acme", f"k{i:02d}", [Scope.READ])
        except BaseException as err:  # surfaced by the assertion below
            inserter_errors.append(err)

    inserter = threading.Thread(target=insert_more)
    inserter.start()
    while True:
        seen.extend(k.id for k in page.data)
        if not page.has_more:
            break
        page = keys.list(PageRequest(limit=3, starting_after=seen[-1]), tenant_id="acme")
    inserter.join()
    assert not inserter_errors
    # Every object that existed at the start, once each and in order; later ones after them.
    assert seen[:10] == first_ten
    assert len(seen) == len(set(seen))
    everything = keys.list(PageRequest(limit=100), tenant_id="acme")
    assert [k.id for k in everything.data][: len(seen)] == seen
    assert not everything.has_more and len(everything.data) == 20


def test_a_cursor_from_another_tenant_is_invalid(keys: ApiKeys) -> None:
    other = keys.create("globex", "svc", [Scope.READ])
    keys.create("acme", "svc", [Scope.READ])
    with pytest.raises(InvalidInput, match="starting_after"):
        keys.list(PageRequest(starting_after=other.id), tenant_id="acme")
