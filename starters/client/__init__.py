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

__all__ = [
    "PAYMENT",
    "PLAN",
    "BillBridgeClient",
    "Operation",
    "OperationHandle",
    "PaymentHandle",
    "PlanHandle",
    "SessionsClient",
    "payment_workflow_id",
]
