"""ConnectionCanaryWorkflow through a real Temporal server, worker, Chromium and Cedar's
sandbox: an unchanged portal stays quiet, a pay form without its button (or a sign-in page
asking for a CAPTCHA: the session workflow meets it) raises connection.drift_detected with
the screenshot of what the browser saw, and the connection's Schedule runs it. Nothing is
ever paid."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from temporalio.client import ScheduleActionExecutionStartWorkflow
from temporalio.service import RPCError
from temporalio.worker import Worker

from models.canary import CanaryResult, CanaryStatus, CanaryStep, canary_schedule_id
from models.events import Event, EventType
from models.settings import Settings
from sandbox.common.layout import LayoutName, StructuralFault
from starters.cli.app import build_parser
from starters.client import BillBridgeClient
from stores.artifacts import ArtifactStore
from stores.events import EventLog
from tests import session_evidence
from tests.e2e.conftest import Connections, PortalUnderTest
from tests.replay.recording import record_history
from workflows.canary import ConnectionCanaryWorkflow

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG"
ZIP = b"PK\x03\x04"  # a Playwright trace
SCHEDULED_RUN_DEADLINE_SECONDS = 60.0


async def _billbridge(
    settings: Settings, task_queue: str, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """``billbridge ARGS…``'s handler in this process (a subprocess costs seconds of start-up
    and imports on every call): exit status and what it printed."""
    parsed = build_parser().parse_args(list(args))
    code: int = await parsed.handler(parsed, settings.model_copy(update={"task_queue": task_queue}))
    output = capsys.readouterr().out
    session_evidence.remember_output(" ".join(args[:2]), output)  # for the PHI scan
    return code, output


def _drift_events(settings: Settings, connection_id: str) -> list[Event]:
    log = EventLog(settings.events_dir)
    return [
        e
        for e in log.events(EventType.CONNECTION_DRIFT_DETECTED)
        if e.connection_id == connection_id
    ]


def _connection(portal: PortalUnderTest, connections: Connections) -> str:
    return connections.add(portal.sandbox.demo_username)


async def test_an_unchanged_portal_stays_quiet(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
) -> None:
    connection_id = _connection(portal_under_test, connections)

    handle = await client.start_canary(connection_id)
    result = await handle.result()
    await record_history(handle, "ConnectionCanaryWorkflow--quiet")

    assert result.status is CanaryStatus.OK and result.statement_walked, result.describe()
    assert not result.reported
    assert _drift_events(settings, connection_id) == []
    assert portal_under_test.admin.ledger() == []


async def test_a_pay_form_without_its_button_is_drift_with_a_screenshot(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
    artifact_store: ArtifactStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    connection_id = _connection(portal_under_test, connections)
    portal_under_test.admin.set_layout(LayoutName.V2, StructuralFault.NO_PAY_BUTTON)

    started = time.monotonic()
    handle = await client.start_canary(connection_id)
    result = await handle.result()
    took = time.monotonic() - started
    await record_history(handle, "ConnectionCanaryWorkflow--drift")

    assert result.status is CanaryStatus.DRIFT and result.reported, result.describe()
    assert result.step is CanaryStep.PAY_FORM
    assert result.message is not None and "submit button" in result.message
    assert result.screenshot_key is not None and result.trace_key is not None
    assert artifact_store.get(result.screenshot_key).startswith(PNG)
    assert artifact_store.get(result.trace_key).startswith(ZIP)
    [event] = _drift_events(settings, connection_id)
    assert event.data == {
        "step": "pay_form",
        "message": result.message,
        "screenshot_key": result.screenshot_key,
        "trace_key": result.trace_key,
    }
    assert portal_under_test.admin.ledger() == []
    assert took < 30, f"drift found in {took:.1f} s"

    # The next run, from the command line, sees it again and stays quiet about it.
    code, output = await _billbridge(
        settings, client.task_queue, capsys, "canary", "run", connection_id
    )
    assert code == 1, output
    assert "drift at pay_form" in output and "already reported" in output
    assert len(_drift_events(settings, connection_id)) == 1


async def test_a_changed_sign_in_page_is_drift_with_its_screenshot(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
    artifact_store: ArtifactStore,
) -> None:
    """The session workflow's sign-in meets the change; its reply carries the screenshot."""
    connection_id = _connection(portal_under_test, connections)
    portal_under_test.admin.set_layout(LayoutName.V2, StructuralFault.CAPTCHA)

    started = time.monotonic()
    handle = await client.start_canary(connection_id)
    result = await handle.result()
    took = time.monotonic() - started
    await record_history(handle, "ConnectionCanaryWorkflow--sign-in-drift")

    assert result.status is CanaryStatus.DRIFT and result.reported, result.describe()
    assert result.step is CanaryStep.SIGN_IN
    assert result.message is not None and "CAPTCHA" in result.message
    assert result.screenshot_key is not None
    assert result.screenshot_key.startswith(f"failures/session-{connection_id}/")
    assert artifact_store.get(result.screenshot_key).startswith(PNG)
    assert not (settings.artifacts_root / result.screenshot_key).read_bytes().startswith(PNG)
    assert result.trace_key is not None
    assert artifact_store.get(result.trace_key).startswith(ZIP)
    [event] = _drift_events(settings, connection_id)
    assert event.data == {
        "step": "sign_in",
        "message": result.message,
        "screenshot_key": result.screenshot_key,
        "trace_key": result.trace_key,
    }
    assert took < 30, f"drift found in {took:.1f} s"


async def test_the_schedule_runs_the_canary(
    portal_under_test: PortalUnderTest,
    client: BillBridgeClient,
    worker: Worker,
    connections: Connections,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    connection_id = _connection(portal_under_test, connections)
    schedule_id = canary_schedule_id(connection_id)
    code, output = await _billbridge(
        settings, client.task_queue, capsys, "canary", "schedule", connection_id, "--every", "1h"
    )
    try:
        assert code == 0 and f"Created schedule {schedule_id}" in output, output
        assert (await client.schedule_canary(connection_id, timedelta(minutes=30)))[1] is False
        schedule = client.temporal.get_schedule_handle(schedule_id)
        described = await schedule.describe()
        assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=30)]

        await schedule.trigger()
        result = await _first_scheduled_result(client, schedule_id)

        assert result.status is CanaryStatus.OK, result.describe()
        assert portal_under_test.admin.ledger() == []
    finally:
        code, output = await _billbridge(
            settings, client.task_queue, capsys, "canary", "unschedule", connection_id
        )
    assert code == 0, output
    with pytest.raises(RPCError):
        await client.temporal.get_schedule_handle(schedule_id).describe()


async def _first_scheduled_result(client: BillBridgeClient, schedule_id: str) -> CanaryResult:
    schedule = client.temporal.get_schedule_handle(schedule_id)
    deadline = time.monotonic() + SCHEDULED_RUN_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        actions = (await schedule.describe()).info.recent_actions
        if actions:
            action = actions[0].action
            assert isinstance(action, ScheduleActionExecutionStartWorkflow)
            handle = client.temporal.get_workflow_handle_for(
                ConnectionCanaryWorkflow.run, action.workflow_id
            )
            return await handle.result()
        await asyncio.sleep(0.2)
    raise AssertionError("the triggered schedule started no run")
