"""The HealthPay24 sandbox seed: deterministic, and shaped as the docs promise."""

from __future__ import annotations

import re

from sandbox.healthpay24.seed import (
    DEMO_USERNAME,
    MERCHANT,
    SMS_USERNAME,
    build_seed,
    build_sms_login,
    seed_logins,
)
from sandbox.processor import tokens


def test_same_seed_same_portal_different_seed_different_portal() -> None:
    assert seed_logins(42, 6) == seed_logins(42, 6)
    assert build_seed(42, 6) != build_seed(7, 6)


def test_magic_logins_do_not_depend_on_patient_count() -> None:
    assert build_seed(42, 2)[:3] == build_seed(42, 9)[:3]
    assert build_sms_login(42) == seed_logins(42, 3)[-1]


def test_demo_login_as_documented() -> None:
    demo = build_seed(42, 0)[0]
    assert demo.username == DEMO_USERNAME and len(demo.accounts) == 2
    statements = [e.statement for a in demo.accounts for e in a.encounters]
    assert len(statements) == 4 and all(s.total_cents >= 2000 for s in statements)
    assert [m.instrument for m in demo.wallet] == [
        tokens.VISA_APPROVED, tokens.ACH_CHECKING, tokens.VISA_DECLINED,
        tokens.VISA_INSUFFICIENT_FUNDS,
    ]  # fmt: skip
    for method in demo.wallet:
        assert method.token == tokens.wallet_token(
            method.instrument, f"{MERCHANT}:{demo.holder_id}"
        )
        assert tokens.read(method.token) == method.instrument
    assert sorted(e.status for e in demo.estimates) == [
        "active", "active", "deposit-paid", "expired",
    ]  # fmt: skip
    # Each estimate for a visit of its own: a deposit is applied to the right one.
    assert len({e.encounter_id for e in demo.estimates}) == 4


def test_shape_and_unique_identifiers() -> None:
    logins = seed_logins(42, 6)
    assert logins[-1].username == SMS_USERNAME and logins[-1].totp_secret == ""
    ids: list[str] = []
    for login in logins:
        assert re.fullmatch(r"G\d{6,7}", login.holder_id) and login.wallet
        ids.append(login.holder_id)
        for account in login.accounts:
            assert re.fullmatch(r"\d{8}", account.account_number)
            ids.append(account.account_number)
            for encounter in account.encounters:
                statement = encounter.statement
                assert re.fullmatch(r"INV-\d{6}", statement.statement_id)
                assert statement.total_cents == sum(line.patient_cents for line in statement.lines)
                assert all(0 < line.patient_cents <= line.charge_cents for line in statement.lines)
                assert statement.statement_date <= statement.due_date
                ids += [encounter.encounter_id, statement.statement_id]
        for estimate in login.estimates:
            assert 0 < estimate.deposit_cents <= estimate.patient_cents
            ids.append(estimate.estimate_id)
    assert len(ids) == len(set(ids))


def test_no_long_digit_runs() -> None:
    # BillBridge refuses 13+ digits in a row as a possible card number.
    assert re.search(r"\d{13,}", repr(seed_logins(42, 20))) is None
