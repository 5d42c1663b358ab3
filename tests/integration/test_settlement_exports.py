"""Settlement exports with faults, read by the product's own readers: HealthPay24's daily
files over its sandbox's real SFTP server, and Patientco's CSV export with a real
chargeback recorded against a payment."""

from __future__ import annotations

import re
from collections.abc import Iterator

import asyncssh
import httpx
import pytest
from pydantic import SecretStr

from models.errors import BadCredentials, HostKeyMismatch
from models.settlements import SettlementDetailType, SftpLogin
from portals.healthpay24 import settlement_file, settlement_sftp
from portals.patientco import settlement_export
from sandbox.admin_client import SandboxAdmin
from sandbox.healthpay24 import settlement as hp24_settlement
from sandbox.healthpay24.seed import DEMO_USERNAME as HP24_DEMO
from sandbox.launcher import PortalProcess
from sandbox.patientco import settlement as patientco_settlement
from sandbox.patientco.seed import DEMO_USERNAME as PATIENTCO_DEMO
from tests.integration.patientco_http import post_payment, sign_in_demo
from tests.integration.test_healthpay24_sandbox import card, checkout
from tests.integration.test_healthpay24_sandbox import sign_in_demo as hp24_sign_in

HP24_CONFIRMATION = re.compile(r"HP24-[A-Z0-9]{10}")
PATIENTCO_TRANSACTION = re.compile(r"/transactions/(PCO-[A-Z0-9]{10})")


def login_of(admin: SandboxAdmin, **changes: str) -> SftpLogin:
    found = admin.sftp_login()
    fields = found.model_dump() | changes
    return SftpLogin(**{**fields, "password": SecretStr(fields["password"])})


def past_the_cutoff(admin: SandboxAdmin, cutoff_hour: int) -> None:
    """Move the sandbox clock just past its next cutoff."""
    now = admin.clock().now
    cutoff = now.replace(hour=cutoff_hour, minute=0, second=0, microsecond=0)
    ahead = (cutoff - now).total_seconds() % 86400
    admin.advance_clock(ahead + 5)


@pytest.fixture
def hp24(healthpay24_portal: PortalProcess, fresh_healthpay24: None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=healthpay24_portal.base_url, timeout=10.0) as http:
        hp24_sign_in(http)
        yield http


def hp24_pay(http: httpx.Client, admin: SandboxAdmin, amount: str, note: str) -> str:
    demo = admin.user(HP24_DEMO)
    answer = checkout(http, demo.statements[0].statement_id, amount, note, card(demo, "approved"))
    found = HP24_CONFIRMATION.search(answer.headers["location"])
    assert found is not None
    return found.group()


async def test_healthpay24_serves_closed_batches_over_sftp_with_the_faults_armed(
    hp24: httpx.Client, healthpay24_admin: SandboxAdmin
) -> None:
    kept = hp24_pay(hp24, healthpay24_admin, "10.00", "bb-sftp-kept")
    dropped = hp24_pay(hp24, healthpay24_admin, "11.00", "bb-sftp-dropped")
    altered = hp24_pay(hp24, healthpay24_admin, "12.00", "bb-sftp-altered")
    login = login_of(healthpay24_admin)
    assert await settlement_sftp.download_settlement_files(login) == []  # nothing closed yet

    past_the_cutoff(healthpay24_admin, hp24_settlement.CUTOFF.at.hour)
    healthpay24_admin.add_export_faults(drop=[dropped], alter={altered: 1150}, chargeback=[kept])
    [published] = await settlement_sftp.download_settlement_files(login)
    assert published.name.startswith("HP24_SETTLEMENT_") and published.content.startswith(b"H,")
    batch = settlement_file.parse(published.name, published.content)
    shown = {(d.type, d.identifier): d for d in batch.details}
    assert shown[(SettlementDetailType.PAYMENT, kept)].amount.amount_cents == 1000
    assert shown[(SettlementDetailType.PAYMENT, altered)].amount.amount_cents == 1150
    assert (SettlementDetailType.PAYMENT, dropped) not in shown
    [chargeback] = [d for d in batch.details if d.type is SettlementDetailType.CHARGEBACK]
    assert chargeback.reverses == kept and chargeback.amount.amount_cents == -1000
    assert batch.payment_amount.amount_cents == 1000 + 1150 - 1000
    # The ground truth is untouched by the faults.
    [truth] = healthpay24_admin.settlement_batches()
    assert truth["status"] == "settled" and len(truth["transactions"]) == 3
    assert (
        await settlement_sftp.download_settlement_files(login, skip=frozenset({published.name}))
        == []
    )


async def test_healthpay24_sftp_checks_the_host_key_and_the_login(
    healthpay24_admin: SandboxAdmin, fresh_healthpay24: None
) -> None:
    other_key = asyncssh.generate_private_key("ssh-ed25519").get_fingerprint("sha256")
    with pytest.raises(HostKeyMismatch):
        await settlement_sftp.download_settlement_files(
            login_of(healthpay24_admin, host_key_fingerprint=other_key)
        )
    with pytest.raises(BadCredentials):
        await settlement_sftp.download_settlement_files(
            login_of(healthpay24_admin, password="not-the-password")
        )
    login = healthpay24_admin.sftp_login()
    async with asyncssh.connect(
        login.host, login.port, username=login.username, password=login.password,
        known_hosts=None, client_keys=None, agent_path=None,
    ) as conn, conn.start_sftp_client() as sftp:  # fmt: skip
        with pytest.raises(asyncssh.SFTPError):
            async with sftp.open(f"{login.directory}/planted.csv", "w") as remote:
                await remote.write("H,forged\n")


@pytest.fixture
def patientco(patientco_portal: PortalProcess, fresh_patientco: None) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=patientco_portal.base_url, timeout=10.0) as http:
        sign_in_demo(http)
        yield http


def patientco_pay(http: httpx.Client, admin: SandboxAdmin, amount: str, reference: str) -> str:
    account = admin.accounts(PATIENTCO_DEMO)[0].account_id
    token = admin.user(PATIENTCO_DEMO).cards[0].token
    answer = post_payment(http, account, token=token, amount=amount, reference=reference)
    found = PATIENTCO_TRANSACTION.search(answer.headers["location"])
    assert found is not None, answer.text[:300]
    return found[1]


def test_patientco_exports_a_real_chargeback_and_the_armed_faults(
    patientco: httpx.Client, patientco_admin: SandboxAdmin
) -> None:
    kept = patientco_pay(patientco, patientco_admin, "20.00", "bb-pco-kept")
    dropped = patientco_pay(patientco, patientco_admin, "21.00", "bb-pco-dropped")
    altered = patientco_pay(patientco, patientco_admin, "22.00", "bb-pco-altered")
    chargeback = patientco_admin.charge_back(kept)
    patientco_admin.add_export_faults(drop=[dropped], alter={altered: 2150})
    past_the_cutoff(patientco_admin, patientco_settlement.CUTOFF.at.hour)

    [truth] = patientco_admin.settlement_batches()
    assert truth["status"] == "settled"  # closed by the cutoff on the moved clock
    assert truth["net_cents"] == 2000 + 2100 + 2200 - 2000
    sign_in_demo(patientco)  # a day on the clock: the console session went idle
    export = patientco.get(f"/settlements/{truth['batch_id']}/export.csv")
    batch = settlement_export.parse(export.text)
    shown = {d.identifier: d for d in batch.details}
    assert dropped not in shown and shown[altered].amount.amount_cents == 2150
    assert shown[chargeback].type is SettlementDetailType.CHARGEBACK
    assert shown[chargeback].reference == "bb-pco-kept"
    assert shown[chargeback].amount.amount_cents == -2000
    assert batch.payment_amount.amount_cents == 2000 + 2150 - 2000
    with pytest.raises(httpx.HTTPStatusError):
        patientco_admin.add_export_faults(chargeback=[kept])  # a real record there, not a fault
