"""The sandbox's "hold after submit" fault: a recorded payment's response waits until released."""

from __future__ import annotations

import asyncio

from sandbox.cedar.faults import Step
from sandbox.common.faults import Faults, FaultUpdate


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_unarmed_hold_answers_at_once() -> None:
    faults = Faults(Step)
    await asyncio.wait_for(faults.hold_response(), timeout=1)
    assert faults.held == 0


async def test_a_held_response_waits_for_its_release() -> None:
    faults = Faults(Step)
    faults.update(FaultUpdate(hold_after_submit=1))
    held = asyncio.create_task(faults.hold_response())
    await _settle()
    assert not held.done() and faults.held == 1
    assert faults.settings.hold_after_submit == 0  # only the next submission is held

    assert faults.release() == 1
    await asyncio.wait_for(held, timeout=1)
    assert faults.held == 0
    await asyncio.wait_for(faults.hold_response(), timeout=1)  # disarmed: no second hold


async def test_clearing_the_faults_answers_every_held_response() -> None:
    faults = Faults(Step)
    faults.update(FaultUpdate(hold_after_submit=2))
    held = [asyncio.create_task(faults.hold_response()) for _ in range(2)]
    await _settle()
    assert faults.held == 2

    faults.clear()
    await asyncio.wait_for(asyncio.gather(*held), timeout=1)
    assert faults.held == 0


async def test_a_hold_after_a_release_waits_for_the_next_one() -> None:
    faults = Faults(Step)
    assert faults.release() == 0
    faults.update(FaultUpdate(hold_after_submit=1))
    held = asyncio.create_task(faults.hold_response())
    await _settle()
    assert not held.done()
    faults.release()
    await asyncio.wait_for(held, timeout=1)
