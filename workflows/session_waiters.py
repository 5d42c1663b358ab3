"""The business workflows waiting on a connection's login, answered by signal when it ends.

``acquire`` never waits (a waiting Update would hold an activity slot of the requester's
``obtain_session``): a requester that cannot have a lease yet is registered here, and the
session workflow signals ``session_ready`` to it once the login is over, either way.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from models.connection_session import SESSION_READY_SIGNAL, SessionReply


class SessionWaiters:
    def __init__(self, carried: dict[str, bool]) -> None:
        # requester workflow id -> fail_fast; insertion order is the order replies are sent
        self._fail_fast = dict(carried)

    def __len__(self) -> int:
        return len(self._fail_fast)

    def register(self, requester_workflow_id: str, *, fail_fast: bool) -> None:
        self._fail_fast[requester_workflow_id] = fail_fast

    def carried(self) -> dict[str, bool]:
        """What continue-as-new hands on, so nobody registered is forgotten."""
        return self._fail_fast

    def take_all(self) -> list[str]:
        return self._take(list(self._fail_fast))

    def take_fail_fast(self) -> list[str]:
        """Only those who asked to fail fast; the others keep waiting (for new credentials)."""
        return self._take([wid for wid, fail_fast in self._fail_fast.items() if fail_fast])

    async def tell(self, requesters: list[str], reply: SessionReply) -> None:
        await asyncio.gather(*(self._signal(wid, reply) for wid in requesters))

    def _take(self, requesters: list[str]) -> list[str]:
        for wid in requesters:
            del self._fail_fast[wid]
        return requesters

    async def _signal(self, requester_workflow_id: str, reply: SessionReply) -> None:
        try:
            await workflow.get_external_workflow_handle(requester_workflow_id).signal(
                SESSION_READY_SIGNAL, reply
            )
        except FailureError:
            # The requester finished or was terminated meanwhile: nobody left to tell.
            workflow.logger.info("session requester %s is gone", requester_workflow_id)
