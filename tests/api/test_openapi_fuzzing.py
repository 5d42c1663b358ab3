"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation of the app's document is fuzzed (the document ``create_app`` builds from
its routes, which a test checks is the one the server serves), so an endpoint another branch
adds (sessions, payments, reads, webhooks, settlements) is covered the day its router is
registered, with nothing to add here. Each request goes over real HTTP to ``billbridge api``
as its own process, on a SQLite file in tmp and a real Temporal dev server, with an admin key
made by the API key store, so the fuzzer reaches every handler past authentication.
Checked on every response: no server error, a status code the operation declares, a media
type it declares, and a body that matches the declared schema.

Fuzzing money-moving POSTs cannot move money: no sandbox portal or processor runs, no
worker runs, and the API's task queue is one nobody polls, so any workflow the fuzzer gets
started only ever waits; the last test checks that none of them ran a single step.
Connections the fuzzer creates point at made-up URLs and are never signed into.

Bounded by count (``MAX_EXAMPLES`` per operation, beside schemathesis's deterministic
coverage cases), not by time; positive and negative cases both.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from temporalio.api.enums.v1 import EventType
from temporalio.service import RPCError

from models.settings import Settings
from starters.api.app import create_app
from starters.local.stack import TemporalDevServer
from stores.read_model.api_keys import ApiKeys
from stores.read_model.database import open_engine
from tests.api_server import ApiProcess, start_api
from workers.temporal_client import connect

MAX_EXAMPLES = 40
NO_WORKER_QUEUE = f"fuzz-no-worker-{uuid.uuid4().hex[:8]}"


@schemathesis.check
def no_server_error_but_the_missing_worker(
    ctx: CheckContext, response: Response, case: Case
) -> bool | None:
    """Schemathesis's not_a_server_error, less the one 5xx this set-up makes on purpose: with
    no worker running, an endpoint that waits for a workflow answers ``503
    worker_unavailable`` (documented), which is right, not a defect."""
    if response.status_code == 503 and _code(response) == "worker_unavailable":
        return None
    return not_a_server_error(ctx, response, case)


def _code(response: Response) -> object:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


CHECKS = [
    no_server_error_but_the_missing_worker,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_api(
    tmp_path_factory: pytest.TempPathFactory, temporal_server: TemporalDevServer
) -> Iterator[ApiProcess]:
    home = tmp_path_factory.mktemp("fuzzed-api")
    api = start_api(
        home,
        {
            "TEMPORAL_ADDRESS": temporal_server.address,
            "BILLBRIDGE_DATABASE_URL": f"sqlite:///{home / 'read_model.db'}",
            # No worker polls this queue: a workflow started by a fuzzed request never runs.
            "BILLBRIDGE_TASK_QUEUE": NO_WORKER_QUEUE,
            # Without a worker, ?refresh=true and a key's in-flight wait would only run out
            # their bounds on every example: short bounds, the same answers.
            "BILLBRIDGE_API_REFRESH_TIMEOUT_SECONDS": "0.5",
            "BILLBRIDGE_API_IDEMPOTENCY_WAIT_SECONDS": "0.2",
        },
    )
    try:
        yield api
    finally:
        api.process.stop()


@pytest.fixture(scope="module")
def admin_key(fuzzed_api: ApiProcess) -> str:
    engine = open_engine(fuzzed_api.env["BILLBRIDGE_DATABASE_URL"])
    try:
        created = ApiKeys(engine).create("fuzz", "fuzzer", ["admin"])
    finally:
        engine.dispose()
    return created.key.get_secret_value()


def _document() -> dict[str, Any]:
    """The document the app serves, built from its routes (no server, no connection), so
    the operations are known at collection; a test checks the server serves this one."""
    return create_app(Settings()).openapi()


schema = schemathesis.openapi.from_dict(_document())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    # The Hypothesis example database would write into the work tree.
    database="none",
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_document_says(
    case: Case, fuzzed_api: ApiProcess, admin_key: str
) -> None:
    case.call_and_validate(
        base_url=fuzzed_api.url,
        headers={"Authorization": f"Bearer {admin_key}"},
        checks=CHECKS,
        timeout=30,
    )


def test_the_server_serves_the_document_that_was_fuzzed(fuzzed_api: ApiProcess) -> None:
    served = httpx.get(f"{fuzzed_api.url}/openapi.json").json()
    assert served == _document()
    assert {"/health", "/api-keys", "/connections/{connection_id}"} <= set(served["paths"])


async def test_no_workflow_a_fuzzed_request_started_ran_a_step(
    fuzzed_api: ApiProcess, temporal_server: TemporalDevServer
) -> None:
    """Whatever the fuzzer got started (payments, refunds, sessions, syncs …) waits on a
    queue nobody polls: no workflow task, so no activity, was ever run; then they go."""
    client = await connect(Settings(temporal_address=temporal_server.address))
    ran: list[str] = []
    async for execution in client.list_workflows(f'TaskQueue = "{NO_WORKER_QUEUE}"'):
        handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
        history = await handle.fetch_history()
        if any(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED for e in history.events):
            ran.append(execution.id)
        with contextlib.suppress(RPCError):  # one that ended by itself (a timeout) stays
            await handle.terminate("fuzzing test over")
    assert ran == []
