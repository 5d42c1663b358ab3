"""``billbridge reconcile`` and ``connections settlement-sftp``: input judged without a
server, the SFTP login stored by reference."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

import pytest

from models.connections import PortalName
from models.errors import InvalidInput
from models.settings import Settings
from starters.cli.app import build_parser
from starters.cli.connection_commands import set_settlement_sftp
from starters.cli.reconcile_commands import reconcile_request, time_of_day
from stores.connections import ConnectionRegistry, save_connection
from stores.secrets import open_secret_store


def test_every_reconcile_command_has_its_handler() -> None:
    parser = build_parser()
    for argv in (["reconcile", "run", "--connection", "c1"],
                 ["reconcile", "schedule", "--connection", "c1", "--at", "05:30"],
                 ["reconcile", "report", "--connection", "c1"]):  # fmt: skip
        assert parser.parse_args(argv).handler is not None


def test_a_reconciliation_is_judged_before_it_is_sent() -> None:
    args = build_parser().parse_args(["reconcile", "run", "--connection", "c1"])
    assert reconcile_request(args).connection_id == "c1"
    bad = build_parser().parse_args(["reconcile", "run", "--connection", "Jane Doe"])
    with pytest.raises(InvalidInput, match="connection_id"):
        reconcile_request(bad)
    assert time_of_day("05:30") == time(5, 30)
    with pytest.raises(InvalidInput, match="HH:MM"):
        time_of_day("half past five")


async def test_the_settlement_sftp_login_is_stored_by_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path)
    save_connection(settings, connection_id="hp", portal=PortalName.HEALTHPAY24,
                    base_url="http://x", username="u", password="pw")  # fmt: skip
    monkeypatch.setattr("getpass.getpass", lambda prompt: "sftp-secret")
    args = build_parser().parse_args([
        "connections", "settlement-sftp", "hp", "--host", "127.0.0.1", "--port", "2222",
        "--username", "hp24-settlements", "--host-key-fingerprint", "SHA256:abc",
    ])  # fmt: skip

    assert await set_settlement_sftp(args, settings) == 0
    connection = ConnectionRegistry(settings.connections_file).get("hp")
    assert connection.settlement_sftp_ref is not None
    assert "sftp-secret" not in settings.connections_file.read_text()  # by reference only
    stored = json.loads(open_secret_store(settings).get(connection.settlement_sftp_ref))
    assert (stored["password"], stored["port"]) == ("sftp-secret", 2222)
    args.host_key_fingerprint = "abc"
    with pytest.raises(InvalidInput, match="SHA256"):
        await set_settlement_sftp(args, settings)
