"""Deterministic seed data: the same ``--seed`` always yields the same portal.

Everything comes from one ``random.Random(seed)``; the magic users are drawn first so their
data does not change with ``--patients``. Dates hang off a fixed anchor, never today.
The SMS and email patients draw from random streams of their own, so adding them left every
other user's data as it was. Cards and bank accounts on file are the sandbox processor's
wallet tokens (``sandbox.processor.tokens.wallet_token``), so charges on them behave as the
processor's test instruments do.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sandbox.cedar.catalog import (
    CARD_BRANDS,
    FIRST_NAMES,
    LAST_NAMES,
    PASSWORD_WORDS,
    PATIENT_SHARES,
    PROCEDURES,
)
from sandbox.processor.tokens import (
    ACH_CHECKING,
    DISCOVER_APPROVED,
    MASTERCARD_APPROVED,
    VISA_APPROVED,
    VISA_DECLINED,
    VISA_INSUFFICIENT_FUNDS,
    Instrument,
    wallet_token,
)

ANCHOR_DATE = date(2025, 6, 30)
BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

# The magic users, documented on /__sandbox__/ like a card processor's test values.
DEMO_USERNAME = "demo.patient"
DEMO_PASSWORD = "demo-password"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
# demo.patient's wallet, in the order every sandbox uses: approving card, bank account,
# declining card, insufficient-funds card.
DEMO_WALLET = (VISA_APPROVED, ACH_CHECKING, VISA_DECLINED, VISA_INSUFFICIENT_FUNDS)
DEMO_CARD_TOKEN = wallet_token(VISA_APPROVED, f"cedar:{DEMO_USERNAME}")
DEMO_BANK_TOKEN = wallet_token(ACH_CHECKING, f"cedar:{DEMO_USERNAME}")
DEMO_DECLINED_CARD_TOKEN = wallet_token(VISA_DECLINED, f"cedar:{DEMO_USERNAME}")
DEMO_INSUFFICIENT_CARD_TOKEN = wallet_token(VISA_INSUFFICIENT_FUNDS, f"cedar:{DEMO_USERNAME}")
WRONG_PASSWORD_USERNAME = "wrong.password"
LOCKED_USERNAME = "locked.patient"
SMS_USERNAME = "sms.patient"
SMS_PASSWORD = "sms-password"
SMS_PHONE = "+1 555-010-0112"
SMS_CARD_TOKEN = wallet_token(MASTERCARD_APPROVED, f"cedar:{SMS_USERNAME}")
# Far above the regular statement numbers, so the SMS patient's never collide with them.
SMS_FIRST_STATEMENT = 900000
EMAIL_USERNAME = "email.patient"
EMAIL_PASSWORD = "email-password"
EMAIL_ADDRESS = "email.patient@example.com"
EMAIL_CARD_TOKEN = wallet_token(DISCOVER_APPROVED, f"cedar:{EMAIL_USERNAME}")
EMAIL_FIRST_STATEMENT = 950000
# A genuine processor token that no Cedar patient has on file.
UNKNOWN_CARD_TOKEN = wallet_token(VISA_APPROVED, "cedar:nobody")
# A regular patient's card: the brand drawn from CARD_BRANDS, as an approving instrument.
_APPROVED_BY_BRAND = {"Visa": VISA_APPROVED, "Mastercard": MASTERCARD_APPROVED,
                      "Discover": DISCOVER_APPROVED}  # fmt: skip

# Thirteen or more digits in a row could be read as a card number by BillBridge's PAN filter.
_LONG_DIGIT_RUN = re.compile(r"\d{13,}")


@dataclass(frozen=True)
class SeedLineItem:
    service_date: date
    code: str
    code_system: str
    description: str
    charge_cents: int
    patient_cents: int


@dataclass(frozen=True)
class SeedStatement:
    statement_id: str
    account_number: str
    statement_date: date
    due_date: date
    line_items: tuple[SeedLineItem, ...]

    @property
    def total_cents(self) -> int:
        return sum(item.patient_cents for item in self.line_items)


@dataclass(frozen=True)
class SeedCard:
    """A card or bank account on file (brand "Checking" for a bank account)."""

    token: str
    brand: str
    last4: str
    kind: str = "card"  # "card" | "ach"

    @classmethod
    def on_file(cls, instrument: Instrument, username: str) -> SeedCard:
        token = wallet_token(instrument, f"cedar:{username}")
        return cls(token, instrument.brand, instrument.last4, instrument.kind.value)


@dataclass(frozen=True)
class SeedUser:
    username: str
    password: str
    totp_secret: str
    full_name: str
    magic: str | None  # "demo" | "wrong_password" | "locked" | "sms" | "email" | None
    cards: tuple[SeedCard, ...]
    statements: tuple[SeedStatement, ...]
    mfa_method: str = "totp"  # "totp" | "sms" | "email"
    phone: str | None = None
    email: str | None = None


@dataclass
class _Counters:
    next_statement: int = 100000
    used_tokens: set[str] = field(default_factory=set)


def seed_users(seed: int, patients: int) -> list[SeedUser]:
    """Every user of the portal: the TOTP users of ``build_seed``, then the SMS and email
    patients."""
    return [*build_seed(seed, patients), build_sms_user(seed), build_email_user(seed)]


def build_sms_user(seed: int) -> SeedUser:
    return _sent_code_user(seed, "sms", SMS_USERNAME, SMS_PASSWORD, statements=3,
                           first_statement=SMS_FIRST_STATEMENT,
                           wallet=(MASTERCARD_APPROVED,), phone=SMS_PHONE)  # fmt: skip


def build_email_user(seed: int) -> SeedUser:
    return _sent_code_user(seed, "email", EMAIL_USERNAME, EMAIL_PASSWORD, statements=2,
                           first_statement=EMAIL_FIRST_STATEMENT,
                           wallet=(DISCOVER_APPROVED,), email=EMAIL_ADDRESS)  # fmt: skip


def _sent_code_user(
    seed: int,
    method: str,
    username: str,
    password: str,
    *,
    statements: int,
    first_statement: int,
    wallet: tuple[Instrument, ...],
    phone: str | None = None,
    email: str | None = None,
) -> SeedUser:
    """A patient whose codes are sent (SMS, email), from a random stream of its own."""
    rng = random.Random(f"cedar-{method}:{seed}")
    counters = _Counters(next_statement=first_statement)
    user = _user(rng, counters, username, password, method, statements=statements,
                 wallet=wallet)  # fmt: skip
    return replace(user, totp_secret="", mfa_method=method, phone=phone, email=email)


def build_seed(seed: int, patients: int) -> list[SeedUser]:
    """The users who answer an authenticator (TOTP) code: magic users first, then patients."""
    rng = random.Random(seed)
    counters = _Counters()
    users = [
        _user(rng, counters, DEMO_USERNAME, DEMO_PASSWORD, "demo", statements=4,
              totp_secret=DEMO_TOTP_SECRET, wallet=DEMO_WALLET),
        _user(rng, counters, WRONG_PASSWORD_USERNAME, "any-password-fails", "wrong_password",
              statements=1),
        _user(rng, counters, LOCKED_USERNAME, "locked-password", "locked", statements=1),
    ]  # fmt: skip
    for index in range(1, patients + 1):
        password = f"{rng.choice(PASSWORD_WORDS)}-{rng.randrange(1000, 10000)}"
        users.append(_user(rng, counters, f"patient{index:02d}", password, None, rng.randint(1, 4)))
    return users


def _user(
    rng: random.Random,
    counters: _Counters,
    username: str,
    password: str,
    magic: str | None,
    statements: int,
    *,
    totp_secret: str | None = None,
    wallet: tuple[Instrument, ...] | None = None,
) -> SeedUser:
    full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    secret = totp_secret or "".join(rng.choice(BASE32_ALPHABET) for _ in range(32))
    account_number = f"{rng.randrange(10**9, 10**10)}"
    # The brand and the old random token are still drawn, so every statement after them
    # stayed the same when cards on file became processor tokens.
    brand, _ = rng.choice(CARD_BRANDS)
    if wallet is None:
        counters.used_tokens.add(_legacy_card_token(rng, counters))
        wallet = (_APPROVED_BY_BRAND.get(brand, VISA_APPROVED),)
    cards = tuple(SeedCard.on_file(instrument, username) for instrument in wallet)
    built = tuple(_statement(rng, counters, account_number) for _ in range(statements))
    return SeedUser(username, password, secret, full_name, magic, cards, built)


def _legacy_card_token(rng: random.Random, counters: _Counters) -> str:
    while True:
        token = f"tok_{rng.getrandbits(96):024x}"
        if token not in counters.used_tokens and not _LONG_DIGIT_RUN.search(token):
            return token


def _statement(rng: random.Random, counters: _Counters, account_number: str) -> SeedStatement:
    counters.next_statement += rng.randint(3, 97)
    statement_date = ANCHOR_DATE - timedelta(days=rng.randint(0, 180))
    items = []
    for _ in range(rng.randint(1, 5)):
        procedure = rng.choice(PROCEDURES)
        charge = rng.randint(procedure.min_charge_cents, procedure.max_charge_cents)
        share = rng.choice(PATIENT_SHARES)
        items.append(
            SeedLineItem(
                service_date=statement_date - timedelta(days=rng.randint(7, 45)),
                code=procedure.code,
                code_system=procedure.code_system,
                description=procedure.description,
                charge_cents=charge,
                patient_cents=max(1, charge * share // 100),
            )
        )
    items.sort(key=lambda item: item.service_date)
    return SeedStatement(
        statement_id=f"ST-{counters.next_statement}",
        account_number=account_number,
        statement_date=statement_date,
        due_date=statement_date + timedelta(days=30),
        line_items=tuple(items),
    )
