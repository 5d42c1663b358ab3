"""What the BillBridge worker hosts: its workflows and the activity objects' methods.

A new process adds its workflow class to ``WORKFLOWS`` here and its activity object to the
list ``build_worker`` passes to ``activities_of`` (workers/main.py): one line each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workflows.canary import ConnectionCanaryWorkflow
from workflows.connection_session import ConnectionSessionWorkflow
from workflows.enroll_plan import EnrollPlanWorkflow
from workflows.estimate_to_deposit import EstimateToDepositWorkflow
from workflows.post_payment import PostPaymentWorkflow
from workflows.reconcile_settlements import ReconcileSettlementsWorkflow
from workflows.refund_lock import PaymentRefundLockWorkflow
from workflows.refund_payment import RefundPaymentWorkflow
from workflows.sync_connection import SyncConnectionWorkflow
from workflows.webhook_delivery import WebhookDeliveryWorkflow

WORKFLOWS: Sequence[type] = (
    PostPaymentWorkflow,
    ConnectionSessionWorkflow,
    ReconcileSettlementsWorkflow,
    EstimateToDepositWorkflow,
    RefundPaymentWorkflow,
    PaymentRefundLockWorkflow,
    EnrollPlanWorkflow,
    SyncConnectionWorkflow,
    WebhookDeliveryWorkflow,
    ConnectionCanaryWorkflow,
)

# Set by temporalio's @activity.defn on the function it decorates.
_ACTIVITY_DEFINITION = "__temporal_activity_definition"


def activities_of(*objects: object) -> list[Callable[..., Any]]:
    """Every ``@activity.defn`` method of each activity object, bound to it.

    Found on the class (and its bases) rather than listed by hand, so a new activity method
    is registered by being defined; an object with none is refused, which catches a
    forgotten decorator or the wrong object passed in.
    """
    methods: list[Callable[..., Any]] = []
    for obj in objects:
        names = [
            name
            for klass in reversed(type(obj).__mro__)
            for name, member in vars(klass).items()
            if hasattr(member, _ACTIVITY_DEFINITION)
        ]
        if not names:
            raise TypeError(f"{type(obj).__name__} has no @activity.defn methods")
        methods.extend(getattr(obj, name) for name in dict.fromkeys(names))
    return methods
