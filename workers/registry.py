"""What the BillBridge worker hosts: its workflows and the activity classes' methods."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.audit import AuditActivities
from activities.payments import PaymentActivities
from activities.session_broker import SessionBroker
from activities.sessions import SessionActivities
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.post_payment import PostPaymentWorkflow

WORKFLOWS: Sequence[type] = (PostPaymentWorkflow, ConnectionSessionWorkflow)


def activity_methods(
    payments: PaymentActivities,
    sessions: SessionActivities,
    broker: SessionBroker,
    audit: AuditActivities,
) -> Sequence[Callable[..., Any]]:
    return (
        payments.check_statement,
        payments.post_payment,
        payments.download_receipt,
        sessions.begin_login,
        sessions.submit_mfa_code,
        sessions.resend_mfa_code,
        sessions.discard_states,
        broker.obtain_session,
        audit.record,
    )
