"""The Cedar sandbox seed: deterministic, and shaped as the docs promise."""

from __future__ import annotations

import re

from sandbox.cedar.seed import (
    DEMO_BANK_TOKEN,
    DEMO_CARD_TOKEN,
    DEMO_DECLINED_CARD_TOKEN,
    DEMO_INSUFFICIENT_CARD_TOKEN,
    DEMO_USERNAME,
    EMAIL_CARD_TOKEN,
    SMS_CARD_TOKEN,
    UNKNOWN_CARD_TOKEN,
    build_seed,
    seed_users,
)
from sandbox.processor import tokens

TOKEN = re.compile(r"b?tok_[0-9a-f]{24}")


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
        assert len(user.cards) == (4 if user is demo else 1)
        assert all(TOKEN.fullmatch(card.token) for card in user.cards)
        assert 1 <= len(user.statements) <= 4
        for statement in user.statements:
            assert re.fullmatch(r"ST-\d{6}", statement.statement_id)
            assert 1 <= len(statement.line_items) <= 5
            assert statement.total_cents == sum(i.patient_cents for i in statement.line_items)
            assert statement.total_cents > 0
            assert all(0 < i.patient_cents <= i.charge_cents for i in statement.line_items)


def test_cards_on_file_are_processor_wallet_tokens() -> None:
    users = {user.username: user for user in seed_users(42, 6)}
    demo = users[DEMO_USERNAME]
    assert [card.token for card in demo.cards] == [
        DEMO_CARD_TOKEN, DEMO_BANK_TOKEN, DEMO_DECLINED_CARD_TOKEN, DEMO_INSUFFICIENT_CARD_TOKEN,
    ]  # fmt: skip
    assert [tokens.read(card.token) for card in demo.cards] == [
        tokens.VISA_APPROVED, tokens.ACH_CHECKING, tokens.VISA_DECLINED,
        tokens.VISA_INSUFFICIENT_FUNDS,
    ]  # fmt: skip
    assert [card.kind for card in demo.cards] == ["card", "ach", "card", "card"]
    assert users["sms.patient"].cards[0].token == SMS_CARD_TOKEN
    assert tokens.read(SMS_CARD_TOKEN) == tokens.MASTERCARD_APPROVED
    assert tokens.read(EMAIL_CARD_TOKEN) == tokens.DISCOVER_APPROVED
    on_file = {card.token for user in users.values() for card in user.cards}
    assert UNKNOWN_CARD_TOKEN not in on_file and tokens.read(UNKNOWN_CARD_TOKEN) is not None
    for user in users.values():
        for card in user.cards:
            instrument = tokens.read(card.token)
            assert instrument is not None
            assert card.token == tokens.wallet_token(instrument, f"cedar:{user.username}")
            assert (card.brand, card.last4) == (instrument.brand, instrument.last4)
            if user is not demo:
                assert instrument.outcome is tokens.Outcome.APPROVED
