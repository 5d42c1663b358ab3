"""One adapter package per portal, all implementing ``base.PortalAdapter``."""

from __future__ import annotations

from models.connections import PortalName
from portals.base import PortalAdapter


def adapter_class(portal: PortalName) -> type[PortalAdapter]:
    # Imported lazily so that a worker only loads the adapters it uses.
    if portal is PortalName.CEDAR:
        from portals.cedar.adapter import CedarAdapter

        return CedarAdapter
    if portal is PortalName.PATIENTCO:
        from portals.patientco.adapter import PatientcoAdapter

        return PatientcoAdapter
    if portal is PortalName.HEALTHPAY24:
        from portals.healthpay24.adapter import HealthPay24Adapter

        return HealthPay24Adapter
    raise NotImplementedError(f"no adapter for portal {portal}")
