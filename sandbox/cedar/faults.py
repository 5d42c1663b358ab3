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
    PLAN_OFFER = "plan_offer"
    PLAN_FORM = "plan_form"
    PLAN_SUBMIT = "plan_submit"
    PLANS = "plans"
    PLAN = "plan"
    PLAN_CHANGE = "plan_change"
    PLAN_CANCEL = "plan_cancel"
