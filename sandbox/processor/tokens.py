"""Processor tokens for the sandbox's test instruments: minted, read back, never a card number.

A token names a test instrument (which card or bank account, and so how a charge on it ends)
and is signed, so a portal can hand the processor any token it holds and the processor
knows what it stands for without sharing a database with the portal: the portals' seeds
mint their patients' cards on file with ``wallet_token``; the hosted fields mint a new token
when a person types one of the test numbers. Format: ``tok_`` (cards) or ``btok_`` (bank
accounts) + 24 lowercase hex digits (1 byte instrument, 5 bytes nonce, 6 bytes HMAC tag).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

# A sandbox's signing key is no secret: it only keeps typos and made-up tokens out.
_SIGNING_KEY = b"billbridge-sandbox-processor"
_TOKEN = re.compile(r"^(?P<prefix>b?tok)_(?P<hex>[0-9a-f]{24})$")
# BillBridge refuses anything holding 13+ digits in a row that passes Luhn; tokens avoid
# such runs altogether so no token is ever mistaken for a card number.
_LONG_DIGIT_RUN = re.compile(r"\d{13,}")


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"  # the issuer refused: "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"


class InstrumentKind(StrEnum):
    CARD = "card"
    ACH = "ach"


@dataclass(frozen=True)
class Instrument:
    code: int
    name: str
    kind: InstrumentKind
    brand: str  # "Visa", "Mastercard"…; "Checking" for a bank account
    last4: str
    outcome: Outcome


# The published test instruments, like a real processor's test card list.
VISA_APPROVED = Instrument(1, "visa_approved", InstrumentKind.CARD, "Visa", "4242",
                           Outcome.APPROVED)  # fmt: skip
MASTERCARD_APPROVED = Instrument(2, "mastercard_approved", InstrumentKind.CARD, "Mastercard",
                                 "4444", Outcome.APPROVED)  # fmt: skip
DISCOVER_APPROVED = Instrument(3, "discover_approved", InstrumentKind.CARD, "Discover", "1117",
                               Outcome.APPROVED)  # fmt: skip
VISA_DECLINED = Instrument(4, "visa_declined", InstrumentKind.CARD, "Visa", "0002",
                           Outcome.DECLINED)  # fmt: skip
VISA_INSUFFICIENT_FUNDS = Instrument(5, "visa_insufficient_funds", InstrumentKind.CARD, "Visa",
                                     "9995", Outcome.INSUFFICIENT_FUNDS)  # fmt: skip
ACH_CHECKING = Instrument(6, "ach_checking", InstrumentKind.ACH, "Checking", "6789",
                          Outcome.APPROVED)  # fmt: skip
INSTRUMENTS: dict[int, Instrument] = {
    i.code: i
    for i in (VISA_APPROVED, MASTERCARD_APPROVED, DISCOVER_APPROVED, VISA_DECLINED,
              VISA_INSUFFICIENT_FUNDS, ACH_CHECKING)
}  # fmt: skip

# What a person types into the hosted fields (sandbox-internal: never passed to BillBridge).
TEST_CARD_NUMBERS: dict[str, Instrument] = {
    "4242424242424242": VISA_APPROVED,
    "5555555555554444": MASTERCARD_APPROVED,
    "6011111111111117": DISCOVER_APPROVED,
    "4000000000000002": VISA_DECLINED,
    "4000000000009995": VISA_INSUFFICIENT_FUNDS,
}
TEST_ROUTING_NUMBER = "110000000"
TEST_BANK_ACCOUNT = "000123456789"


def mint(instrument: Instrument, nonce: bytes | None = None) -> str:
    """A token for the instrument: random by default, fixed for a given 5-byte nonce."""
    prefix = "btok" if instrument.kind is InstrumentKind.ACH else "tok"
    seed = nonce if nonce is not None else secrets.token_bytes(5)
    for attempt in range(256):
        body = bytes([instrument.code]) + _nonce(seed, attempt)
        token = f"{prefix}_{(body + _tag(prefix, body)).hex()}"
        if not _LONG_DIGIT_RUN.search(token):
            return token
    raise RuntimeError("could not mint a token without a long digit run")  # pragma: no cover


def wallet_token(instrument: Instrument, owner: str) -> str:
    """The deterministic token of ``owner``'s card on file (``owner``: vendor + holder id)."""
    return mint(instrument, hashlib.sha256(owner.encode()).digest()[:5])


def read(token: str) -> Instrument | None:
    """The instrument a genuine token stands for; None for anything else."""
    match = _TOKEN.match(token.strip())
    if match is None:
        return None
    raw = bytes.fromhex(match["hex"])
    body, tag = raw[:6], raw[6:]
    if not hmac.compare_digest(tag, _tag(match["prefix"], body)):
        return None
    instrument = INSTRUMENTS.get(body[0])
    if instrument is None or (match["prefix"] == "btok") != (instrument.kind is InstrumentKind.ACH):
        return None
    return instrument


def instrument_for_card(number: str) -> Instrument | None:
    return TEST_CARD_NUMBERS.get(re.sub(r"[ -]", "", number))


def instrument_for_bank(routing: str, account: str) -> Instrument | None:
    if routing.strip() == TEST_ROUTING_NUMBER and account.strip() == TEST_BANK_ACCOUNT:
        return ACH_CHECKING
    return None


def _nonce(seed: bytes, attempt: int) -> bytes:
    if attempt == 0:
        return seed
    return hashlib.sha256(seed + bytes([attempt])).digest()[:5]


def _tag(prefix: str, body: bytes) -> bytes:
    return hmac.new(_SIGNING_KEY, prefix.encode() + body, hashlib.sha256).digest()[:6]
