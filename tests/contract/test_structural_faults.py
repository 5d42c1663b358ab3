"""A portal whose pages changed in structure fails with PortalChanged, in seconds, before any
money moves: the sign-in without its button, a CAPTCHA, an interstitial after sign-in, the pay
form without its button, a payment history the lookup cannot read.

Each runs on the redesigned layout (``layout=v2``, which the adapters read), so it is the
structural change the adapter reports, not the redesign.
"""

from __future__ import annotations

import time
import uuid

import pytest
from pydantic import SecretStr

from models.connections import Credentials, PortalName
from models.errors import PortalChanged
from models.money import Money
from models.payments import PaymentSubmission
from portals import adapter_class
from portals.base import UnattendedSignIn
from portals.browser import BrowserPool
from portals.navigation import PortalTimeouts
from sandbox.admin_client import SandboxAdmin
from sandbox.common.layout import LayoutName, StructuralFault
from sandbox.launcher import PortalProcess
from sandbox.portals import SANDBOX_PORTALS

# The bound: an operator hears of a changed page within this, never minutes later.
DETECTED_WITHIN_SECONDS = 30.0
# Shorter than the adapters' default, so 15 cases stay cheap; one case keeps the default.
QUICK = PortalTimeouts(navigation_ms=15_000, action_ms=3_000)
# Every portal's sandbox serves every fault; a vendor is listed here once its adapter reads
# the redesign.
FAULTS_BY_PORTAL: dict[PortalName, list[StructuralFault]] = {
    PortalName.CEDAR: list(StructuralFault),
    PortalName.PATIENTCO: [],
    PortalName.HEALTHPAY24: [],
}
CASES = [
    pytest.param(portal, fault, id=f"{portal.value}-{fault.value}")
    for portal, faults in FAULTS_BY_PORTAL.items()
    for fault in faults
]


async def _pay_once(
    portal_name: PortalName,
    process: PortalProcess,
    admin: SandboxAdmin,
    browser_pool: BrowserPool,
    timeouts: PortalTimeouts,
) -> None:
    """What a payment attempt does: sign in, check the statement, look up, submit."""
    user = admin.user(SANDBOX_PORTALS[portal_name].demo_username)
    statement = next(s for s in user.statements if s.balance_cents >= 1000)
    card = next(
        m
        for m in admin.statement(statement.statement_id).payment_methods
        if m.kind == "card" and m.outcome == "approved"
    )
    reference = f"BB-{uuid.uuid4().hex[:16]}"
    async with browser_pool.context() as context:
        adapter = adapter_class(portal_name)(
            await context.new_page(),
            process.base_url,
            timeouts=timeouts,  # type: ignore[call-arg]
        )
        assert isinstance(adapter, UnattendedSignIn)
        await adapter.login(
            Credentials(
                username=user.username,
                password=SecretStr(user.password),
                totp_secret=SecretStr(user.totp_secret),
            )
        )
        await adapter.get_statement(statement.statement_id)
        if await adapter.find_payment(reference) is None:
            await adapter.submit_payment(
                PaymentSubmission(
                    statement_id=statement.statement_id,
                    amount=Money(amount_cents=1000),
                    payment_method_token=card.token,
                    reference=reference,
                )
            )


@pytest.mark.parametrize(("portal_name", "fault"), CASES)
async def test_a_structural_change_is_portal_changed_before_any_money_moves(
    request: pytest.FixtureRequest,
    portal_name: PortalName,
    fault: StructuralFault,
    browser_pool: BrowserPool,
    processor: PortalProcess,
) -> None:
    process: PortalProcess = request.getfixturevalue(f"{portal_name.value}_portal")
    admin: SandboxAdmin = request.getfixturevalue(f"{portal_name.value}_admin")
    admin.reset()
    SandboxAdmin(processor.base_url).reset()
    admin.set_layout(LayoutName.V2, fault)
    # The adapters' own timeouts once, on the fault the issue measured at minutes.
    timeouts = PortalTimeouts() if fault is StructuralFault.NO_SIGN_IN_BUTTON else QUICK

    started = time.monotonic()
    with pytest.raises(PortalChanged):
        await _pay_once(portal_name, process, admin, browser_pool, timeouts)

    assert time.monotonic() - started <= DETECTED_WITHIN_SECONDS
    assert admin.ledger() == []
