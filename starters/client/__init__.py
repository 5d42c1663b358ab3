"""The typed Python client library: what other Python services import."""

from starters.client.billbridge_client import (
    PAYMENT,
    BillBridgeClient,
    PaymentHandle,
    payment_workflow_id,
)
from starters.client.operations import Operation, OperationHandle
from starters.client.sessions_client import SessionsClient

__all__ = [
    "PAYMENT",
    "BillBridgeClient",
    "Operation",
    "OperationHandle",
    "PaymentHandle",
    "SessionsClient",
    "payment_workflow_id",
]
