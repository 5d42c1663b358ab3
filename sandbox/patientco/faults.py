"""The Patientco console's steps, as fault injection names them (``sandbox.common.faults``)."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    LOGIN = "login"  # the identity provider's sign-in page
    MFA = "mfa"  # the identity provider's code page
    CALLBACK = "callback"  # the console receiving the identity provider's answer
    ACCOUNTS = "accounts"
    ACCOUNT = "account"
    STATEMENTS = "statements"
    STATEMENT = "statement"
    PAY_FORM = "pay_form"
    PAY_SUBMIT = "pay_submit"
    CONFIRMATION = "confirmation"
    TRANSACTIONS = "transactions"
    RECEIPT = "receipt"
    VOID = "void"
    REFUND = "refund"
    SETTLEMENTS = "settlements"
    SETTLEMENT_EXPORT = "settlement_export"
    PLAN_FORM = "plan_form"
    PLAN_SUBMIT = "plan_submit"
    PLANS = "plans"
    PLAN = "plan"
    PLAN_EDIT = "plan_edit"
    PLAN_CANCEL = "plan_cancel"
