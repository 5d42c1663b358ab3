"""Which optional capabilities each adapter has: the sync and reconciliation workflows pick
portals by these protocols, so a capability lost in a refactoring must fail here."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.offerings import OfferingActivities
from models.connections import Connection, PortalName, SecretRef
from models.errors import NotOffered
from models.offerings import OfferCheck, Process
from portals import adapter_class
from portals.base import (
    AccountReader,
    DepositTaker,
    EstimateReader,
    PaymentFormInspector,
    PlanManager,
    PlanPauser,
    Refunder,
    SettlementFileReader,
    SettlementReader,
    StatementLister,
    StatementPdfReader,
    UnattendedSignIn,
)
from portals.offerings import offered_by
from stores.connections import ConnectionRegistry

EVERY_PORTAL = {UnattendedSignIn, AccountReader, StatementLister, PaymentFormInspector}
CAPABILITIES = {
    PortalName.CEDAR: EVERY_PORTAL | {PlanManager},
    PortalName.PATIENTCO: EVERY_PORTAL | {SettlementReader, PlanManager, Refunder},
    PortalName.HEALTHPAY24: EVERY_PORTAL
    | {
        StatementPdfReader,
        EstimateReader,
        DepositTaker,
        PlanManager,
        PlanPauser,
        Refunder,
        SettlementFileReader,
    },
}
OPTIONAL = (
    UnattendedSignIn, AccountReader, StatementLister, StatementPdfReader, SettlementReader,
    EstimateReader, DepositTaker, PlanManager, PlanPauser, Refunder, SettlementFileReader,
    PaymentFormInspector,
)  # fmt: skip


@pytest.mark.parametrize("portal", list(PortalName), ids=lambda name: str(name.value))
def test_each_adapter_has_exactly_its_capabilities(portal: PortalName) -> None:
    adapter = adapter_class(portal)

    assert {p for p in OPTIONAL if issubclass(adapter, p)} == CAPABILITIES[portal]


def test_a_process_is_offered_where_the_adapter_has_its_capability() -> None:
    assert offered_by(Process.SETTLEMENT_EXPORTS) == [PortalName.PATIENTCO, PortalName.HEALTHPAY24]
    assert offered_by(Process.REFUNDS) == [PortalName.PATIENTCO, PortalName.HEALTHPAY24]
    assert offered_by(Process.ESTIMATE_DEPOSITS) == [PortalName.HEALTHPAY24]
    assert offered_by(Process.PAYMENT_PLANS) == list(PortalName)
    assert offered_by(Process.PLAN_PAUSES) == [PortalName.HEALTHPAY24]


async def test_a_process_the_portal_lacks_is_refused_naming_the_portal(tmp_path: Path) -> None:
    registry = ConnectionRegistry(tmp_path / "connections.json")
    registry.save(
        Connection(
            id="c1",
            portal=PortalName.CEDAR,
            base_url="http://x",
            username="u",
            password_ref=SecretRef(ref="local:c1/password"),
        )
    )
    checks = OfferingActivities(registry)

    with pytest.raises(NotOffered) as refused:
        await checks.check_offered(
            OfferCheck(connection_id="c1", process=Process.SETTLEMENT_EXPORTS)
        )
    assert refused.value.message.startswith("cedar does not offer settlement exports")
    assert "patientco" in refused.value.message
