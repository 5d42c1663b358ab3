"""Which optional capabilities each adapter has: the sync and reconciliation workflows pick
portals by these protocols, so a capability lost in a refactoring must fail here."""

from __future__ import annotations

import pytest

from models.connections import PortalName
from portals import adapter_class
from portals.base import (
    AccountReader,
    EstimateReader,
    SettlementReader,
    StatementLister,
    StatementPdfReader,
    UnattendedSignIn,
)

EVERY_PORTAL = {UnattendedSignIn, AccountReader, StatementLister}
CAPABILITIES = {
    PortalName.CEDAR: EVERY_PORTAL,
    PortalName.PATIENTCO: EVERY_PORTAL | {SettlementReader},
    PortalName.HEALTHPAY24: EVERY_PORTAL | {StatementPdfReader, EstimateReader},
}
OPTIONAL = (
    UnattendedSignIn, AccountReader, StatementLister, StatementPdfReader, SettlementReader,
    EstimateReader,
)  # fmt: skip


@pytest.mark.parametrize("portal", list(PortalName), ids=lambda name: str(name.value))
def test_each_adapter_has_exactly_its_capabilities(portal: PortalName) -> None:
    adapter = adapter_class(portal)

    assert {p for p in OPTIONAL if issubclass(adapter, p)} == CAPABILITIES[portal]
