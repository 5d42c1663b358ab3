"""A payment on a warm session against one on a cold session (sign-in + MFA), same run.

Run with ``.venv/bin/python -m bench.warm_vs_cold_session [--runs N]``. It starts its own
Temporal dev server, Cedar sandbox and worker (free ports, stopped by pid at the end). Each
run, for TOTP (answered by BillBridge) and for SMS (answered by this script playing the
person, reading the sandbox outbox as soon as the challenge shows), it saves a new
connection — so its session workflow starts signed out — posts a $1.00 payment (cold), then
a second one on the same connection (warm). It prints medians and the warm/cold ratio and,
with ``--write`` (the default), rewrites its own section of bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType

from bench.common import (
    RESULTS_FILE,
    bench_stack,
    machine,
    parse_bench_args,
    run_main,
    say,
    write_section,
)
from models.connection_session import SessionStatus
from models.connections import PortalName
from models.payments import PostPaymentRequest
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, SessionsClient
from stores.connections import save_connection

USERS = {"totp": "demo.patient", "sms": "sms.patient"}
AMOUNT_CENTS = 100
LOW_BALANCE_CENTS = 1_000  # reset the sandbox before a run when a statement gets this low
SECTION = "warm_vs_cold_session"


@dataclass
class Timing:
    total: float  # client start → result
    session_wait: float  # workflow start → first browser step scheduled (session in hand)
    logins: int


@dataclass
class Variant:
    cold: list[Timing] = field(default_factory=list)
    warm: list[Timing] = field(default_factory=list)


@dataclass
class Results:
    runs: int
    variants: dict[str, Variant] = field(default_factory=dict)
    resets: int = 0


class Bench:
    def __init__(
        self, client: BillBridgeClient, admin: SandboxAdmin, settings: Settings, base_url: str
    ) -> None:
        self._client = client
        self._sessions = SessionsClient(client.temporal)
        self._admin = admin
        self._settings = settings
        self._base_url = base_url

    def new_connection(self, mfa: str) -> str:
        user = self._admin.user(USERS[mfa])
        connection_id = f"bench-{mfa}-{uuid.uuid4().hex[:8]}"
        save_connection(
            self._settings,
            connection_id=connection_id,
            portal=PortalName.CEDAR,
            base_url=self._base_url,
            username=user.username,
            password=user.password,
            totp_secret=user.totp_secret if mfa == "totp" else None,
        )
        return connection_id

    def ensure_balances(self) -> bool:
        low = any(
            s.balance_cents < LOW_BALANCE_CENTS
            for username in USERS.values()
            for s in self._admin.user(username).statements[:1]
        )
        if low:
            self._admin.reset()
        return low

    async def payment(self, mfa: str, connection_id: str) -> Timing:
        user = self._admin.user(USERS[mfa])
        request = PostPaymentRequest(
            connection_id=connection_id,
            statement_id=user.statements[0].statement_id,
            amount_cents=AMOUNT_CENTS,
            payment_method_token=user.cards[0].token,
            idempotency_key=f"bench-{uuid.uuid4().hex}",
        )
        logins_before = self._logins(user.username)
        started = time.perf_counter()
        handle = await self._client.start_payment(request)
        person = asyncio.create_task(self._answer_code(connection_id, user.username))
        try:
            await handle.result()
        finally:
            person.cancel()
        total = time.perf_counter() - started
        return Timing(
            total=total,
            session_wait=await self._session_wait(handle.workflow_id),
            logins=self._logins(user.username) - logins_before,
        )

    async def _answer_code(self, connection_id: str, username: str) -> None:
        """The person: types the texted code in as soon as the challenge shows."""
        while True:
            view = await self._sessions.state_if_started(connection_id)
            if view is not None and view.status is SessionStatus.AWAITING_MFA:
                code = self._admin.latest_code(username)
                await self._sessions.submit_mfa_code(connection_id, code)
                return
            await asyncio.sleep(0.05)

    async def _session_wait(self, workflow_id: str) -> float:
        handle = self._client.temporal.get_workflow_handle(workflow_id)
        started = None
        async for event in handle.fetch_history_events():
            at = event.event_time.ToDatetime().timestamp()
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                started = at
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                name = event.activity_task_scheduled_event_attributes.activity_type.name
                if name != "obtain_session" and started is not None:
                    return at - started
        raise RuntimeError(f"{workflow_id} never scheduled a browser step")

    def _logins(self, username: str) -> int:
        return self._admin.logins().by_user.get(username, {}).get("successful", 0)


async def measure(runs: int, bench: Bench) -> Results:
    results = Results(runs=runs, variants={mfa: Variant() for mfa in USERS})
    # Warm-up: Chromium's first contexts and the worker's first tasks are slower.
    for mfa in USERS:
        connection_id = bench.new_connection(mfa)
        await bench.payment(mfa, connection_id)
        await bench.payment(mfa, connection_id)
    for run in range(1, runs + 1):
        for mfa, variant in results.variants.items():
            results.resets += bench.ensure_balances()
            connection_id = bench.new_connection(mfa)
            cold = await bench.payment(mfa, connection_id)
            warm = await bench.payment(mfa, connection_id)
            variant.cold.append(cold)
            variant.warm.append(warm)
            say(
                f"run {run}/{runs} {mfa}: cold {cold.total:.2f}s ({cold.logins} login), "
                f"warm {warm.total:.2f}s ({warm.logins} logins)"
            )
    return results


def run(runs: int) -> Results:
    with bench_stack("sessions", say) as stack:
        settings = Settings(
            home=stack.home, temporal_address=stack.temporal_address, task_queue=stack.task_queue
        )

        async def go() -> Results:
            client = await BillBridgeClient.connect(settings)
            return await measure(runs, Bench(client, stack.admin, settings, stack.portal.base_url))

        return asyncio.run(go())


def _median(timings: list[Timing], attribute: str) -> float:
    return float(statistics.median(getattr(t, attribute) for t in timings))


def table(results: Results) -> str:
    rows = [
        "| MFA | cold: payment (s) | warm: payment (s) | ratio warm / cold | "
        "cold: waiting for the session (s) | warm: waiting for the session (s) | "
        "sign-ins cold / warm |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for mfa, v in results.variants.items():
        cold, warm = _median(v.cold, "total"), _median(v.warm, "total")
        logins = (
            f"{max(t.logins for t in v.cold)} / {max(t.logins for t in v.warm)}" if v.cold else "–"
        )
        rows.append(
            f"| {mfa.upper()} | {cold:.2f} | {warm:.2f} | {warm / cold:.2f}× | "
            f"{_median(v.cold, 'session_wait'):.2f} | {_median(v.warm, 'session_wait'):.2f} | "
            f"{logins} |"
        )
    return "\n".join(rows)


def section(results: Results, command: str, when: str) -> str:
    return f"""## A payment on a warm session vs a cold one (sign-in + MFA)

- Command: `{command}`
- Date: {when}
- Machine: {machine()}
- Runs: {results.runs} per MFA method after one warm-up of each; each run saves a new
  connection, posts $1.00 (cold: its session workflow signs in) and then $1.00 again on
  the same connection (warm). Medians; sandbox resets: {results.resets}.

{table(results)}

"Waiting for the session" is read from the payment's history: workflow start until its
first browser step is scheduled (the `obtain_session` activity, the `acquire` Update and,
when cold, the session workflow's sign-in and the `session_ready` signal back). Cold with
SMS includes the person answering, played here by this script reading the sandbox outbox
the moment the challenge shows (polling every 50 ms): a real person adds their own
seconds or minutes, which a warm session skips too. A warm payment restores the session's
sealed browser state in each activity and signs in zero times."""


def main(argv: list[str]) -> int:
    args = parse_bench_args("bench.warm_vs_cold_session", __doc__, argv)
    results = run(args.runs)
    say()
    say(f"machine: {machine()}")
    say(table(results))
    if args.write:
        write_section(SECTION, section(results, args.command, args.when))
        say(f"\nwrote {RESULTS_FILE}")
    return 0


if __name__ == "__main__":
    run_main(main)
