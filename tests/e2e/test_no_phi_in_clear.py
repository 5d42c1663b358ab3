"""After every other test of the session: nothing BillBridge kept holds PHI or a secret in
the clear.

Read as an outsider reads them (the ``temporal`` CLI without the codec, plain file reads):
every workflow history and description on the session's Temporal server and in the demo's
SQLite, every log file (worker processes, the demo, this process's own records), every
``billbridge`` command's output, and the BillBridge home directories. Searched for: each
seeded patient's name, date of birth and MRN, each login's password and TOTP secret, the
phone numbers and email addresses codes are sent to, the processor's test card numbers, and
every one-time code a test read (tests/sensitive_values.py).

Marked ``after_all`` (tests/conftest.py runs those last). The first test makes sure there is
something to scan even when the module runs alone: a payment whose login waits for an SMS code,
listed by ``billbridge mfa list`` meanwhile. Each scan also asserts how much it read, per
area, so that a reader that silently finds nothing (a moved directory, an empty listing)
fails instead of passing clean.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from models.connection_session import SessionStatus
from models.settings import Settings
from sandbox.admin_client import SandboxAdmin
from starters.client import BillBridgeClient, SessionsClient
from starters.local.stack import TemporalDevServer
from tests import session_evidence
from tests.e2e import phi_scan
from tests.e2e.helpers import (
    answer_with_latest_code,
    payment_for,
    run_billbridge,
    wait_for_status,
)
from tests.e2e.phi_scan import Place
from tests.sensitive_values import (
    BIRTH_DATE,
    EMAIL,
    NAME,
    OTP_CODE,
    PASSWORD,
    PHONE,
    Hit,
    Scanner,
    Sensitive,
    one_time_codes,
    seeded_values,
)

pytestmark = [pytest.mark.e2e, pytest.mark.after_all]

SMS_USER = "sms.patient"
_SHOWN_GROUPS = 40


async def test_a_code_typed_just_before_the_scans(
    settings: Settings,
    task_queue: str,
    client: BillBridgeClient,
    worker: Worker,
    sessions: SessionsClient,
    cedar_admin: SandboxAdmin,
    sms_connection: str,
) -> None:
    """One payment through an SMS-code login, so the scans always have a typed code to look
    for, also when this module runs alone (the rest of the session adds the others)."""
    handle = await client.start_payment(payment_for(cedar_admin, sms_connection, SMS_USER))
    await wait_for_status(sessions, sms_connection, SessionStatus.AWAITING_MFA)
    # An operator's view of the waiting login, so the scan always has a command output
    # to read (one that shows where the code went, masked).
    code, _ = await run_billbridge(settings, task_queue, "mfa", "list")
    assert code == 0
    await answer_with_latest_code(sessions, cedar_admin, sms_connection, SMS_USER)
    await handle.result()
    assert session_evidence.codes(), "the code the test typed was not recorded"


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    # Built when the first scan runs, so it knows every code the session's tests read.
    return Scanner([*seeded_values(), *one_time_codes(session_evidence.codes())])


def _read(places: list[Place], where: str) -> int:
    """How many places were read at ``where`` (a file's path, or a directory's with "/")."""
    return sum(place.where.startswith(where) for place in places)


def _assert_clean(scanner: Scanner, places: list[Place], what: str, report: str) -> None:
    """Fails with a summary: per kind of value and place, how often, and one masked example.
    The whole list goes to a file in the session's evidence directory."""
    findings = [
        (places[index], hit)
        for index, hits in scanner.find_many([place.text for place in places])
        for hit in hits
    ]
    directory = session_evidence.directory()
    if directory is not None:  # what was read, also when clean: the scan is no empty pass
        summary = directory / f"phi-scan-{report}.summary"
        summary.write_text(f"{what}: {len(places)} texts read, {len(findings)} findings\n")
    if not findings:
        return
    groups: dict[tuple[str, str], list[tuple[Place, Hit]]] = defaultdict(list)
    for place, hit in findings:
        groups[(hit.kind, place.group)].append((place, hit))
    lines = [
        f"{len(items):4d}× {kind:<14} {group}\n        e.g. {items[0][1].whose}: "
        f"…{items[0][1].context}…"
        for (kind, group), items in sorted(groups.items())
    ]
    kept = ""
    if directory is not None:
        path = directory / f"phi-scan-{report}.txt"
        path.write_text(
            "\n".join(f"{hit.kind} ({hit.whose}) at {place.where}: …{hit.context}…"
                      for place, hit in findings) + "\n",
            encoding="utf-8",
        )  # fmt: skip
        kept = f"\n(every finding: {path})"
    shown = "\n".join(lines[:_SHOWN_GROUPS])
    more = f"\n… and {len(lines) - _SHOWN_GROUPS} more places" if len(lines) > _SHOWN_GROUPS else ""
    pytest.fail(f"{len(findings)} values in the clear in {what}:\n{shown}{more}{kept}", False)


def _demo_files(name: str) -> list[Path]:
    return [directory / name for directory in session_evidence.demo_dirs()]


def test_no_phi_in_workflow_histories(temporal_server: TemporalDevServer, scanner: Scanner) -> None:
    read = phi_scan.histories(temporal_server.address)
    # Read, not only listed: every run's history was scanned from its start event, and the
    # first test's payment and its login are among them.
    unread = [
        run
        for run, places in read.items()
        if not any("WORKFLOW_EXECUTION_STARTED" in place.where for place in places)
    ]
    assert len(read) >= 2 and not unread, (len(read), unread)
    types = {run.workflow_type for run in read}
    assert {"PostPaymentWorkflow", "ConnectionSessionWorkflow"} <= types, types
    places = [place for run_places in read.values() for place in run_places]
    # The demo's own server is gone; what it stored is in its SQLite file, read raw.
    # (with its write-ahead log, should a demo have stopped before a checkpoint)
    demo_databases = [p for d in _demo_files("data") for p in sorted(d.glob("temporal.db*"))]
    demo_places = list(phi_scan.files_under(demo_databases, "demo Temporal SQLite"))
    # A demo refused at its arguments starts no server; one that ran leaves its database.
    assert demo_databases or not session_evidence.demo_dirs()
    assert all(place.text for place in demo_places)
    _assert_clean(scanner, places + demo_places, f"{len(read)} workflow runs and "
                  f"{len(demo_databases)} demo database files", "histories")  # fmt: skip


def test_no_phi_in_logs_or_command_output(
    tmp_path_factory: pytest.TempPathFactory, scanner: Scanner
) -> None:
    logs = phi_scan.log_files(tmp_path_factory.getbasetemp())
    [in_process] = [path for path in logs if path.name == session_evidence.IN_PROCESS_LOG]
    # The in-process worker logged the first test's payment at the least.
    assert in_process.stat().st_size > 0, in_process
    outputs = list(session_evidence.outputs())
    assert outputs, "no billbridge command output was kept (the first test runs one)"
    places = [*phi_scan.files_under(logs, "log"), *phi_scan.files_under(outputs, "output of")]
    assert len({place.where for place in places}) >= len(logs) + len(outputs)
    _assert_clean(scanner, places, f"{len(logs)} logs and {len(outputs)} command outputs", "logs")


def test_no_phi_in_the_billbridge_homes(settings: Settings, scanner: Scanner) -> None:
    """Secrets file, connections (usernames are logins, not names: not searched), browser
    sessions, artifacts (receipts read as a PDF reader shows them, traces unzipped)."""
    homes = [settings.home, *_demo_files("home")]
    places = list(phi_scan.files_under(homes, "home file"))
    # What the first test's payment left at the least: its connection and secrets, a sealed
    # browser session and a sealed receipt (a moved directory would read as clean).
    label = "home file"
    read = {
        "connections": _read(places, f"{label} {settings.connections_file}"),
        "secrets": _read(places, f"{label} {settings.secrets_file}"),
        "sealed sessions": _read(places, f"{label} {settings.sessions_dir}/"),
        "sealed artifacts": _read(places, f"{label} {settings.artifacts_root}/"),
    }
    assert all(read.values()), read
    _assert_clean(scanner, places, f"{len(places)} files of {len(homes)} homes", "homes")


def test_searched_values_are_those_of_the_running_sandboxes(
    cedar_admin: SandboxAdmin, patientco_admin: SandboxAdmin, healthpay24_admin: SandboxAdmin
) -> None:
    """The seeds read by tests/sensitive_values.py are the ones the sandboxes really run."""
    searched = {(value.kind, value.value) for value in seeded_values()}
    for admin in (cedar_admin, patientco_admin, healthpay24_admin):
        users = admin.users()
        for user in users:
            assert (PASSWORD, user.password) in searched, user.username
            if user.phone:
                assert (PHONE, user.phone) in searched, user.username
            if user.email:
                assert (EMAIL, user.email) in searched, user.username
            for account in admin.accounts(user.username):
                assert (NAME, account.guarantor_name) in searched, account.account_id
                if account.birth_date:
                    assert (BIRTH_DATE, account.birth_date[:10]) in searched, account.account_id
    assert len(searched) > 200
    # Each kind of code destination is searched: Cedar's SMS and email patients, Patientco's
    # staff inboxes, HealthPay24's SMS patient.
    assert {kind for kind, _ in searched} >= {PHONE, EMAIL}


async def test_the_scan_finds_planted_values(temporal_server: TemporalDevServer) -> None:
    """Last, so the planted values spoil no scan above: a workflow started without the codec
    and a log record, both holding seeded values, are found where they were put."""
    name = next(v for v in seeded_values() if v.kind == NAME)
    birth_date = next(v for v in seeded_values() if v.kind == BIRTH_DATE)
    code = Sensitive(OTP_CODE, "246813", "planted")
    phone = next(v for v in seeded_values() if v.kind == PHONE)
    email = next(v for v in seeded_values() if v.kind == EMAIL)
    planted = Scanner([name, birth_date, code, phone, email])
    plain = await Client.connect(temporal_server.address)
    workflow_id = f"phi-scan-planted-{uuid.uuid4().hex[:8]}"
    handle = await plain.start_workflow(
        "PlantedWorkflow",
        {"patient": name.value, "code": code.value, "phone": phone.value, "email": email.value},
        id=workflow_id,
        task_queue=f"nobody-{workflow_id}", static_summary=f"born {birth_date.value}",
    )  # fmt: skip
    try:
        run = phi_scan.Run(
            workflow_id, handle.first_execution_run_id or "", "PlantedWorkflow", True
        )
        places = phi_scan.run_places(temporal_server.address, run)
    finally:
        await handle.terminate("planted for the scan's own test")
    found = {
        (hit.kind, places[index].group)
        for index, hits in planted.find_many([place.text for place in places])
        for hit in hits
    }
    assert (NAME, _input_group()) in found, found
    assert (OTP_CODE, _input_group()) in found, found
    assert (PHONE, _input_group()) in found, found
    assert (EMAIL, _input_group()) in found, found
    assert any(kind == BIRTH_DATE and "userMetadata" in group for kind, group in found), found

    directory = session_evidence.directory()
    assert directory is not None
    log = directory / session_evidence.IN_PROCESS_LOG
    # Into the file itself: a record sent through logging is redacted on its way (the API and
    # the worker put the redaction on every handler), and what is tested here is the scan.
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"WARNING activities.planted: planted for {name.value}\n")
    assert planted.find(log.read_text()), "the in-process log record was not scanned"


def _input_group() -> str:
    return (
        "history PlantedWorkflow WORKFLOW_EXECUTION_STARTED "
        ".workflowExecutionStartedEventAttributes.input.payloads[].data (base64)"
    )
