"""Deterministic seed data: the same ``--seed`` always yields the same HealthPay24 portal.

A login belongs to one account holder (the guarantor), who sees one or more accounts (their
own, a dependent's), each with hospital encounters; every encounter has one statement. The
holder's wallet holds processor tokens minted with ``wallet_token``, so the processor knows
each card on file without sharing a database with the portal. Estimates are for planned
procedures. Everything comes from random streams named after the seed, dated from a fixed
anchor, never today; the magic users are drawn first so ``--patients`` never changes them,
and the SMS patient has a stream (and id ranges) of its own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sandbox.healthpay24 import charges
from sandbox.healthpay24.catalog import FIRST_NAMES, LAST_NAMES, PASSWORD_WORDS
from sandbox.healthpay24.charges import SeedEncounter, SeedEstimate, SeedIds
from sandbox.processor import tokens
from sandbox.processor.tokens import Instrument

ANCHOR_DATE = charges.ANCHOR_DATE
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
MERCHANT = "healthpay24"

# The magic users, documented on /__sandbox__/ like a card processor's test values.
DEMO_USERNAME = "demo.patient"
DEMO_PASSWORD = "demo-password"
DEMO_TOTP_SECRET = "HP24DEMOSECRETAB"  # 80 bits of base32, as many authenticator apps get
DEMO_WALLET = (tokens.VISA_APPROVED, tokens.ACH_CHECKING, tokens.VISA_DECLINED,
               tokens.VISA_INSUFFICIENT_FUNDS)  # fmt: skip
SMS_USERNAME = "sms.patient"
SMS_PASSWORD = "sms-password"
SMS_PHONE = "+1 555-010-0112"
SMS_WALLET = (tokens.MASTERCARD_APPROVED, tokens.ACH_CHECKING)
WRONG_PASSWORD_USERNAME = "wrong.password"
LOCKED_USERNAME = "locked.patient"
UNKNOWN_TOKEN = "tok_ffffffffffffffffffffffff"  # never in any wallet (and not even signed)
_REGULAR_CARDS = (tokens.VISA_APPROVED, tokens.MASTERCARD_APPROVED, tokens.DISCOVER_APPROVED)


@dataclass(frozen=True)
class SeedMethod:
    token: str
    instrument: Instrument


@dataclass(frozen=True)
class SeedAccount:
    account_number: str
    patient_name: str
    encounters: tuple[SeedEncounter, ...]


@dataclass(frozen=True)
class SeedLogin:
    username: str
    password: str
    totp_secret: str  # "" for the SMS patient
    magic: str | None  # "demo" | "sms" | "wrong_password" | "locked" | None
    holder_id: str  # the account holder (guarantor) behind the login
    full_name: str
    birth_date: date
    accounts: tuple[SeedAccount, ...]
    wallet: tuple[SeedMethod, ...]
    estimates: tuple[SeedEstimate, ...]
    mfa_method: str = "totp"  # "totp" | "sms"
    phone: str | None = None


@dataclass
class _Plan:
    """How much one login gets: accounts, encounters per account, estimates, wallet."""

    accounts: int
    encounters: tuple[int, int]
    estimates: tuple[str, ...] = ()
    wallet: tuple[Instrument, ...] = field(default_factory=tuple)
    min_statement_cents: int = 1


def seed_logins(seed: int, patients: int) -> list[SeedLogin]:
    """Every login of the portal: the TOTP logins of ``build_seed``, then the SMS patient."""
    return [*build_seed(seed, patients), build_sms_login(seed)]


def build_seed(seed: int, patients: int) -> list[SeedLogin]:
    rng = random.Random(f"healthpay24:{seed}")
    ids = SeedIds(first_statement=300000)
    demo = _Plan(2, (2, 2), ("active", "deposit-paid", "expired"), DEMO_WALLET, 2000)
    logins = [
        _login(rng, ids, DEMO_USERNAME, DEMO_PASSWORD, "demo", demo, DEMO_TOTP_SECRET),
        _login(rng, ids, WRONG_PASSWORD_USERNAME, "any-password-fails", "wrong_password",
               _Plan(1, (1, 1), wallet=(tokens.VISA_APPROVED,))),
        _login(rng, ids, LOCKED_USERNAME, "locked-password", "locked",
               _Plan(1, (1, 1), wallet=(tokens.VISA_APPROVED,))),
    ]  # fmt: skip
    # From streams of their own, so the rest of the seed is drawn as before: a second
    # upcoming procedure for the demo patient (deposits on two visits to tell apart).
    extra = charges.estimate(random.Random(f"healthpay24-deposits:{seed}"), ids, "active",
                             logins[0].accounts[0].account_number)  # fmt: skip
    logins[0] = replace(logins[0], estimates=(*logins[0].estimates, extra))
    logins = [_with_visits(login, ids, seed) for login in logins]
    for index in range(1, patients + 1):
        password = f"{rng.choice(PASSWORD_WORDS)}-{rng.randrange(1000, 10000)}"
        wallet = (rng.choice(_REGULAR_CARDS),)
        if rng.random() < 0.35:
            wallet += (tokens.ACH_CHECKING,)
        estimates = tuple(rng.choice(charges.ESTIMATE_STATUSES) for _ in range(rng.randint(0, 2)))
        plan = _Plan(rng.randint(1, 2), (1, 2), estimates, wallet)
        login = _login(rng, ids, f"patient{index:02d}", password, None, plan)
        logins.append(_with_visits(login, ids, seed))
    return logins


def _with_visits(login: SeedLogin, ids: SeedIds, seed: int) -> SeedLogin:
    """Each estimate with the upcoming encounter it was made for."""
    stream = f"healthpay24-visits:{seed}:{login.username}"
    return replace(login, estimates=charges.upcoming_visits(login.estimates, ids, stream))


def build_sms_login(seed: int) -> SeedLogin:
    """The patient whose codes are texted, from a random stream and id ranges of its own."""
    rng = random.Random(f"healthpay24-sms:{seed}")
    ids = SeedIds(first_statement=900000, account_prefix="9", encounter_prefix="9")
    plan = _Plan(1, (2, 2), ("active",), SMS_WALLET, 2000)
    login = _login(rng, ids, SMS_USERNAME, SMS_PASSWORD, "sms", plan)
    estimates = charges.upcoming_visits(login.estimates, ids, f"healthpay24-sms-visits:{seed}")
    return replace(login, totp_secret="", mfa_method="sms", phone=SMS_PHONE, estimates=estimates)


def _login(
    rng: random.Random,
    ids: SeedIds,
    username: str,
    password: str,
    magic: str | None,
    plan: _Plan,
    totp_secret: str | None = None,
) -> SeedLogin:
    first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    full_name = f"{first_name} {last_name}"
    dependents = [name for name in FIRST_NAMES if name != first_name]
    secret = totp_secret or "".join(rng.choice(BASE32_ALPHABET) for _ in range(32))
    birth_date = date(1950, 1, 1) + timedelta(days=rng.randint(0, 50 * 365))
    holder_id = ids.holder(rng)
    accounts = []
    for position in range(plan.accounts):
        # The first account is the holder's own care; later ones a dependent's.
        patient = full_name if position == 0 else f"{rng.choice(dependents)} {last_name}"
        encounters = tuple(
            charges.encounter(rng, ids, plan.min_statement_cents)
            for _ in range(rng.randint(*plan.encounters))
        )
        accounts.append(SeedAccount(ids.account(rng), patient, encounters))
    wallet = tuple(
        SeedMethod(tokens.wallet_token(instrument, f"{MERCHANT}:{holder_id}"), instrument)
        for instrument in plan.wallet
    )
    estimates = tuple(
        charges.estimate(rng, ids, status, accounts[0].account_number) for status in plan.estimates
    )
    return SeedLogin(username, password, secret, magic, holder_id, full_name, birth_date,
                     tuple(accounts), wallet, estimates)  # fmt: skip
