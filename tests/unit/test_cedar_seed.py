"""The Cedar sandbox seed: deterministic, and shaped as the docs promise."""

from __future__ import annotations

import re

from sandbox.cedar.seed import DEMO_CARD_TOKEN, DEMO_USERNAME, build_seed

TOKEN = re.compile(r"tok_[0-9a-f]{24}")


def test_same_seed_same_portal_different_seed_different_portal() -> None:
    assert build_seed(42, 6) == build_seed(42, 6)
    assert build_seed(42, 6) != build_seed(7, 6)


def test_magic_users_do_not_depend_on_patient_count() -> None:
    assert build_seed(42, 2)[:3] == build_seed(42, 9)[:3]


def test_shape() -> None:
    users = build_seed(42, 6)
    assert [u.username for u in users[3:]] == [f"patient{i:02d}" for i in range(1, 7)]
    demo = users[0]
    assert demo.username == DEMO_USERNAME and len(demo.statements) == 4
    assert demo.cards[0].token == DEMO_CARD_TOKEN
    statement_ids = [s.statement_id for u in users for s in u.statements]
    assert len(statement_ids) == len(set(statement_ids))
    for user in users:
        assert len(user.cards) == 1 and TOKEN.fullmatch(user.cards[0].token)
        assert 1 <= len(user.statements) <= 4
        for statement in user.statements:
            assert re.fullmatch(r"ST-\d{6}", statement.statement_id)
            assert 1 <= len(statement.line_items) <= 5
            assert statement.total_cents == sum(i.patient_cents for i in statement.line_items)
            assert statement.total_cents > 0
            assert all(0 < i.patient_cents <= i.charge_cents for i in statement.line_items)
