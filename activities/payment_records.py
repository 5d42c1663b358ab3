"""Recording a posted (or failed) payment in the read model, for ``GET /payments``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio import activity

from models.payments import PaymentRecord, PaymentRecorded
from stores.read_model.posted_payments import PostedPayments


class PaymentRecordActivities:
    def __init__(self, open_store: Callable[[], PostedPayments]) -> None:
        # Opened on first use: a worker whose payments never reach an API-made connection
        # never touches the database (nor makes its key).
        self._open_store = open_store
        self._store: PostedPayments | None = None

    @activity.defn
    async def record_payment(self, record: PaymentRecord) -> PaymentRecorded:
        if self._store is None:
            self._store = self._open_store()
        # A blocking database write: off the event loop.
        payment_id = await asyncio.to_thread(self._store.record, record)
        if payment_id is None:
            activity.logger.info("payment's connection has no tenant in the read model")
        return PaymentRecorded(payment_id=payment_id)
