"""Webhooks end to end over real HTTP: a tenant's connection made by POST /connections, an
endpoint registered, events raised through the real worker's event activity, delivered by
real delivery workflows to a local receiver that verifies each with the client's helper.
The receiver is down (refused, then 503) for a while, then back: every event arrives, none
is lost, duplicates carry the same webhook-id; a redelivery keeps it; another tenant sees
nothing of it."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from temporalio.worker import Worker

from models.events import Event, EventType
from models.settings import Settings
from models.webhooks import event_public_id
from portals.browser import BrowserPool
from starters.client import BillBridgeClient
from tests.api_server import ApiProcess, start_api
from tests.e2e.conftest import PortalUnderTest
from tests.e2e.event_raiser import RaiseEvents, RaiseEventsWorkflow
from tests.e2e.webhook_receiver import WebhookReceiver
from workers.main import build_worker

pytestmark = pytest.mark.e2e

# Short back-off, so being down for a few attempts takes a second or two, not minutes.
SHORT_BACKOFF = {"webhook_retry_initial_seconds": 0.2, "webhook_retry_max_seconds": 1.0}
WAIT_SECONDS = 60.0
SUBSCRIBED = [EventType.PAYMENT_POSTED, EventType.STATEMENT_CREATED]


async def _eventually(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Poll ``check`` until it returns something truthy, within a generous bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.1)


@pytest_asyncio.fixture
async def api(settings: Settings, task_queue: str) -> AsyncIterator[ApiProcess]:
    env = {
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "BILLBRIDGE_TASK_QUEUE": task_queue,
        "BILLBRIDGE_WEBHOOK_RETRY_INITIAL_SECONDS": "0.2",
        "BILLBRIDGE_WEBHOOK_RETRY_MAX_SECONDS": "1.0",
    }
    process = start_api(settings.home, env)
    try:
        yield process
    finally:
        process.process.stop()


@pytest_asyncio.fixture
async def workers(
    api: ApiProcess, bb_client: BillBridgeClient, settings: Settings, task_queue: str
) -> AsyncIterator[str]:
    """The real worker (build_worker; it needs no browser here, so none is started) and one
    hosting the event raiser; the API runs first, so the read model is migrated."""
    client = bb_client.temporal
    real = build_worker(
        client, settings.model_copy(update=SHORT_BACKOFF), BrowserPool(), task_queue=task_queue
    )
    raiser_queue = f"{task_queue}-raiser"
    raiser = Worker(client, task_queue=raiser_queue, workflows=[RaiseEventsWorkflow])
    async with real, raiser:
        yield raiser_queue


def _event(connection_id: str, type: EventType, n: int, run: str) -> Event:
    return Event(
        id=f"evt/e2e-webhooks-{run}/run/{n}",
        type=type,
        occurred_at=datetime.now(UTC),
        workflow_id=f"e2e-webhooks-{run}",
        connection_id=connection_id,
        data={"amount_cents": 1000 + n, "payment_id": f"pay_{run}_{n}"},
    )


async def test_every_event_is_delivered_signed_through_an_outage_and_redelivered(
    api: ApiProcess,
    workers: str,
    bb_client: BillBridgeClient,
    settings: Settings,
    task_queue: str,
    portal_under_test: PortalUnderTest,
) -> None:
    run = uuid.uuid4().hex[:8]
    tenant, other = f"hooks-{run}", f"others-{run}"
    # Two `billbridge api-keys create` processes at once: each is a Python start-up.
    key, other_key = await asyncio.gather(
        asyncio.to_thread(api.new_key, tenant, "ops", "admin"),
        asyncio.to_thread(api.new_key, other, "ops", "admin"),
    )
    receiver = WebhookReceiver()  # not started: nothing listens, deliveries are refused
    async with (
        httpx.AsyncClient(base_url=api.url, headers={"Authorization": f"Bearer {key}"}) as http,
        httpx.AsyncClient(
            base_url=api.url, headers={"Authorization": f"Bearer {other_key}"}
        ) as stranger,
    ):
        made = await http.post(
            "/connections",
            json={
                "portal": portal_under_test.name.value,
                "base_url": portal_under_test.process.base_url,
                "username": "someone",
                "password": "not-used-here",
            },
        )
        assert made.status_code == 201, made.text
        connection_id = made.json()["id"]
        assert (
            await http.post("/webhook-endpoints", json={"url": "ftp://x.example"})
        ).status_code == 422
        created = await http.post(
            "/webhook-endpoints", json={"url": receiver.url, "event_types": SUBSCRIBED}
        )
        assert created.status_code == 201, created.text
        endpoint = created.json()
        receiver.secret = endpoint["secret"]
        assert receiver.secret.startswith("whsec_")
        shown = (await http.get(f"/webhook-endpoints/{endpoint['id']}")).json()
        assert "secret" not in shown and shown["enabled"] is True

        events = [
            *(_event(connection_id, EventType.PAYMENT_POSTED, n, run) for n in range(3)),
            _event(connection_id, EventType.STATEMENT_CREATED, 3, run),
            _event(connection_id, EventType.CONNECTION_DRIFT_DETECTED, 4, run),  # unsubscribed
        ]
        wanted = {event_public_id(e.id) for e in events if e.type in SUBSCRIBED}
        raise_them = RaiseEvents(events=events, task_queue=task_queue)
        client = bb_client.temporal
        written = await client.execute_workflow(
            RaiseEventsWorkflow.run, raise_them, id=f"raise-{run}", task_queue=workers
        )
        assert written == len(events)

        # Down: every delivery is being retried, its attempts refused.
        async def all_refused_twice() -> bool:
            for event_id in wanted:
                [delivery] = (await http.get(f"/events/{event_id}")).json()["deliveries"]
                if delivery["attempts"] < 2 or delivery["last_error"] != "ConnectError":
                    return False
                assert delivery["status"] == "retrying"
            return True

        await _eventually(all_refused_twice, "every delivery refused twice")
        # The same events raised again (a retried activity): nothing is delivered twice.
        again = await client.execute_workflow(
            RaiseEventsWorkflow.run, raise_them, id=f"raise-again-{run}", task_queue=workers
        )
        assert again == 0

        # Back, but answering 503 for a while; then accepting.
        receiver.unavailable_answers = 3
        receiver.start()
        try:
            await _eventually(
                lambda: _as_async({r.webhook_id for r in receiver.seen()} >= wanted),
                "every subscribed event delivered",
            )
            assert receiver.refused == [] and receiver.answered_503 == 3
            for received in receiver.seen():
                assert received.webhook_id == received.event.id
                assert received.event.connection_id == connection_id
            by_id = {r.webhook_id: r.event for r in receiver.seen()}
            assert set(by_id) == wanted  # the unsubscribed drift event was not sent
            assert by_id[event_public_id(events[1].id)].data == {
                "amount_cents": 1001,
                "payment_id": f"pay_{run}_1",
            }

            listed = (await http.get("/events", params={"limit": 100})).json()
            # The connection's own sync signs in with its made-up password too: its
            # connection.login_required event is listed beside the raised ones.
            raised = {event_public_id(e.id) for e in events}
            assert raised <= {e["id"] for e in listed["data"]}
            assert {e["type"] for e in listed["data"] if e["id"] not in raised} <= {
                "connection.login_required"
            }
            posted = (await http.get("/events", params={"type": "payment.posted"})).json()
            assert len(posted["data"]) == 3

            async def delivered(event_id: str) -> dict[str, Any] | None:
                shown = (await http.get(f"/events/{event_id}")).json()
                statuses = {d["status"] for d in shown["deliveries"]}
                return shown if statuses == {"delivered"} else None

            target = event_public_id(events[0].id)
            first = await _eventually(lambda: delivered(target), "delivered shown")
            [delivery] = first["deliveries"]
            assert delivery["webhook_id"] == target and delivery["attempts"] >= 3
            assert delivery["last_http_status"] == 204

            # Redelivered: once more, with the same webhook-id.
            before = sum(r.webhook_id == target for r in receiver.seen())
            redone = await http.post(f"/events/{target}/redeliver")
            assert redone.status_code == 202, redone.text
            [new] = redone.json()["deliveries"]
            assert new["webhook_id"] == target and new["id"] != delivery["id"]
            await _eventually(
                lambda: _as_async(sum(r.webhook_id == target for r in receiver.seen()) > before),
                "the redelivery received",
            )
            await _eventually(lambda: delivered(target), "the redelivery shown delivered")
        finally:
            receiver.stop()

        # Another tenant: none of it exists.
        assert (await stranger.get(f"/events/{target}")).status_code == 404
        assert (await stranger.post(f"/events/{target}/redeliver")).status_code == 404
        assert (await stranger.get(f"/webhook-endpoints/{endpoint['id']}")).status_code == 404
        assert (await stranger.get("/events")).json()["data"] == []
        # The signing secret is in the secret store only, not in the read model.
        # Read through SQLite, never as raw files: opening and closing the database file in
        # this process (which holds live connections) drops its POSIX locks, and another
        # process then deletes the WAL under it (a corrupted database for the next test).
        database = settings.home / "read_model.db"
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            stored = "\n".join(db.iterdump())
        assert receiver.secret not in stored
        disabled = await http.delete(f"/webhook-endpoints/{endpoint['id']}")
        assert disabled.status_code == 200 and disabled.json()["enabled"] is False


async def _as_async(value: bool) -> bool:
    return value
