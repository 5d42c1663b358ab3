"""The Cedar portal's steps, as fault injection names them (``sandbox.common.faults``)."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    LOGIN = "login"
    MFA = "mfa"
    STATEMENTS = "statements"
    STATEMENT = "statement"
    PAY_FORM = "pay_form"
    PAY_SUBMIT = "pay_submit"
    CONFIRMATION = "confirmation"
    HISTORY = "history"
    RECEIPT = "receipt"
    ACCOUNT = "account"
