"""The audit activity: workflows record who moved money or answered a login, once."""

from __future__ import annotations

import asyncio

from temporalio import activity

from models.audit import AuditReceipt, AuditRecord
from security.audit_log import AuditLog


class AuditActivities:
    def __init__(self, log: AuditLog) -> None:
        self._log = log

    @activity.defn
    async def record(self, record: AuditRecord) -> AuditReceipt:
        # The lock may wait on another worker's append: off the event loop.
        receipt = await asyncio.to_thread(self._log.append, record)
        if receipt.already_recorded:
            activity.logger.info("audit entry %s was already recorded", receipt.seq)
        return receipt
