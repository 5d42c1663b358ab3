"""Which portal offers which process, read from what its adapter implements.

A process is offered where the portal's adapter class implements the process's capability
protocol (``portals.base``), so the table cannot drift from the code: a vendor gains a
process by its adapter gaining the methods.
"""

from __future__ import annotations

from models.connections import PortalName
from models.offerings import Process
from portals import adapter_class
from portals.base import (
    DepositTaker,
    PlanManager,
    PlanPauser,
    Refunder,
    SettlementFileReader,
    SettlementReader,
)

# One capability protocol per process (or a tuple: any one of them will do); each must be
# @runtime_checkable with methods only.
CAPABILITIES: dict[Process, type | tuple[type, ...]] = {
    Process.PAYMENT_PLANS: PlanManager,
    Process.PLAN_PAUSES: PlanPauser,
    # Patientco through the browser's CSV export, HealthPay24 as files over SFTP.
    Process.SETTLEMENT_EXPORTS: (SettlementReader, SettlementFileReader),
    Process.ESTIMATE_DEPOSITS: DepositTaker,
    Process.REFUNDS: Refunder,
}


def offers(portal: PortalName, process: Process) -> bool:
    return issubclass(adapter_class(portal), CAPABILITIES[process])


def offered_by(process: Process) -> list[PortalName]:
    return [portal for portal in PortalName if offers(portal, process)]
