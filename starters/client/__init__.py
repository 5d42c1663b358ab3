"""The typed Python client library: what other Python services import."""

from starters.client.billbridge_client import BillBridgeClient, PaymentHandle, payment_workflow_id
from starters.client.sessions_client import SessionsClient

__all__ = ["BillBridgeClient", "PaymentHandle", "SessionsClient", "payment_workflow_id"]
