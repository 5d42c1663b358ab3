"""The typed Python client library: what other Python services import."""

from starters.client.billbridge_client import (
    PAYMENT,
    PLAN,
    BillBridgeClient,
    PaymentHandle,
    payment_workflow_id,
)
from starters.client.operations import Operation, OperationHandle
from starters.client.plan_handle import PlanHandle
from starters.client.sessions_client import SessionsClient
from starters.client.webhooks import WebhookEvent, WebhookVerificationFailed, verify_webhook

__all__ = [
    "PAYMENT",
    "PLAN",
    "BillBridgeClient",
    "Operation",
    "OperationHandle",
    "PaymentHandle",
    "PlanHandle",
    "SessionsClient",
    "WebhookEvent",
    "WebhookVerificationFailed",
    "payment_workflow_id",
    "verify_webhook",
]
