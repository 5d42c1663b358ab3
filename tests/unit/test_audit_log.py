"""The audit chain: every edit, deletion, reordering and cut tail is found; appends serialize."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from models.audit import Actor, ActorKind, AuditAction, AuditRecord
from models.settings import Settings
from security.audit_log import AuditChainBroken, AuditLog, open_audit_log

KEY = bytes(range(32))
OPERATOR = Actor(kind=ActorKind.OPERATOR, id="jdoe")


def _record(n: int, workflow_id: str = "payment-k1") -> AuditRecord:
    return AuditRecord(
        entry_id=f"{workflow_id}/run/{n}:payment.posted",
        at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        actor=OPERATOR,
        action=AuditAction.PAYMENT_POSTED,
        workflow_id=workflow_id,
        run_id="run",
        outcome="posted",
        details={"amount_cents": 1000 + n, "statement_id": "ST-1"},
    )


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit", KEY)
    for n in range(1, 6):
        log.append(_record(n))
    return log


def _rewrite(log: AuditLog, lines: list[bytes]) -> None:
    log.log_path.write_bytes(b"".join(line + b"\n" for line in lines))


def test_an_intact_chain_verifies(log: AuditLog) -> None:
    report = log.verify()
    assert report.ok and report.entries == 5 and report.last_seq == 5
    first = json.loads(log.lines()[0])
    assert first["actor"] == {"kind": "operator", "id": "jdoe"}
    assert first["at"] == "2025-01-02T03:04:05Z" and first["seq"] == 1


def test_an_edited_line_is_found(log: AuditLog) -> None:
    lines = log.lines()
    lines[1] = lines[1].replace(b'"amount_cents":1002', b'"amount_cents":9002')
    _rewrite(log, lines)
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (2, "edited")


def test_an_edit_rechained_without_the_key_is_found(log: AuditLog) -> None:
    forger = AuditLog(log.directory, b"not the key".ljust(32, b"!"))
    lines = log.lines()
    entry = json.loads(lines[2])
    entry["outcome"] = "already_posted"
    entry["hash"] = forger._entry_mac(entry)
    lines[2] = json.dumps(entry).encode()
    _rewrite(log, lines)
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (3, "edited")


def test_a_deleted_middle_line_is_found(log: AuditLog) -> None:
    lines = log.lines()
    del lines[2]
    _rewrite(log, lines)
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (3, "deleted")


def test_a_deleted_last_line_is_found(log: AuditLog) -> None:
    _rewrite(log, log.lines()[:-1])
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (5, "truncated")


def test_reordered_lines_are_found(log: AuditLog) -> None:
    lines = log.lines()
    lines[1], lines[2] = lines[2], lines[1]
    _rewrite(log, lines)
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (2, "reordered")


def test_a_cut_last_line_is_found(log: AuditLog) -> None:
    data = log.log_path.read_bytes()
    log.log_path.write_bytes(data[:-20])
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (5, "truncated")


def test_a_missing_head_is_found_and_appending_refused(log: AuditLog) -> None:
    log.head_path.unlink()
    problem = log.verify().problem
    assert problem is not None and problem.kind == "head"
    with pytest.raises(AuditChainBroken):
        AuditLog(log.directory, KEY).append(_record(6))


def test_appends_after_a_deleted_last_line_leave_the_gap_visible(log: AuditLog) -> None:
    _rewrite(log, log.lines()[:-1])
    AuditLog(log.directory, KEY).append(_record(6))
    problem = log.verify().problem
    assert problem is not None and (problem.seq, problem.kind) == (5, "deleted")


def test_a_retried_append_writes_once(log: AuditLog) -> None:
    again = log.append(_record(3))
    from_another_process = AuditLog(log.directory, KEY).append(_record(3))
    assert again.already_recorded and again.seq == 3
    assert from_another_process == again
    assert len(log.lines()) == 5 and log.verify().ok


def test_an_interrupted_append_is_rolled_forward(log: AuditLog) -> None:
    fourth = json.loads(log.lines()[3])
    log._write_head(4, fourth["hash"])  # the 5th line was written, the head never moved
    report = log.verify()
    assert report.ok and report.note is not None
    log.append(_record(6))
    report = log.verify()
    assert report.ok and report.last_seq == 6 and report.note is None


def _append_many(directory: str, worker: int, count: int) -> None:
    log = AuditLog(Path(directory), KEY)
    for n in range(count):
        log.append(_record(n, workflow_id=f"payment-w{worker}"))


def test_concurrent_appends_from_several_processes_stay_one_chain(tmp_path: Path) -> None:
    directory = tmp_path / "audit"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(directory), w, 40)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    log = AuditLog(directory, KEY)
    report = log.verify()
    assert report.ok, report.problem
    assert report.entries == 160
    assert [json.loads(line)["seq"] for line in log.lines()] == list(range(1, 161))


def test_cli_verify_and_export(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    log = open_audit_log(settings)
    for n in range(1, 4):
        log.append(_record(n))
    log.append(_record(1, workflow_id="payment-other"))
    env = {"BILLBRIDGE_HOME": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    billbridge = str(Path(sys.executable).parent / "billbridge")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [billbridge, "audit", *args], env=env, capture_output=True, text=True, timeout=60
        )

    verified = run("verify")
    assert verified.returncode == 0 and "4 entries" in verified.stdout, verified
    exported = run("export", "--workflow", "payment-other")
    assert [json.loads(line)["seq"] for line in exported.stdout.splitlines()] == [4]
    assert len(run("export", "--since", "2025-01-01").stdout.splitlines()) == 4
    assert run("export", "--since", "2025-02-01").stdout == ""

    lines = log.lines()
    del lines[1]
    _rewrite(log, lines)
    broken = run("verify")
    assert broken.returncode == 1 and "seq 2" in broken.stderr and "deleted" in broken.stderr
