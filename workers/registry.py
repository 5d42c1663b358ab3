"""What the BillBridge worker hosts: its workflows and the activity classes' methods."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from activities.payments import PaymentActivities
from workflows.post_payment import PostPaymentWorkflow

WORKFLOWS: Sequence[type] = (PostPaymentWorkflow,)


def activity_methods(payments: PaymentActivities) -> Sequence[Callable[..., Any]]:
    return (payments.check_statement, payments.post_payment, payments.download_receipt)
