"""The HealthPay24 portal's steps, as fault injection names them (``sandbox.common.faults``)."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    LOGIN = "login"
    MFA = "mfa"
    ACCOUNTS = "accounts"  # the accounts list and one account's page
    STATEMENT = "statement"
    STATEMENT_PDF = "statement_pdf"
    CHECKOUT = "checkout"  # the checkout's amount, payment-method and review steps
    PAY_SUBMIT = "pay_submit"  # "Submit payment" on the review step: the money moves here
    RECEIPT = "receipt"
    RECEIPT_PDF = "receipt_pdf"
    HISTORY = "history"
    WALLET = "wallet"
    ESTIMATES = "estimates"
    PLANS = "plans"  # the plan offer, the plans list, one plan and its change form
    PLAN_SUBMIT = "plan_submit"  # "Enroll in payment plan": autopay is set up here
