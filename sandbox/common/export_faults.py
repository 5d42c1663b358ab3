"""Settlement export faults: what a processor's file gets wrong, on demand.

The export of a batch leaves out a dropped transaction and shows an altered amount instead
of the ledger's, and its totals add up to what the file shows (a processor's file is
consistent with itself; it disagrees with what the merchant posted). The ledger itself is
untouched. A chargeback added here is a line in the export only (HealthPay24); Patientco
records a real chargeback against the payment instead (its admin API). Test scaffolding in
memory, cleared by reset.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ExportFaults(BaseModel):
    dropped: list[str] = []  # transaction ids left out of the export
    altered: dict[str, int] = {}  # transaction id → amount in cents the export shows
    chargebacks: list[str] = []  # payments the export shows charged back (in full)


class ExportFaultUpdate(BaseModel):
    """Added to what is armed already."""

    drop: list[str] = Field(default_factory=list, max_length=100)
    alter: dict[str, int] = Field(default_factory=dict, max_length=100)
    chargeback: list[str] = Field(default_factory=list, max_length=100)


class ExportFaultState:
    def __init__(self) -> None:
        self.faults = ExportFaults()

    def clear(self) -> None:
        self.faults = ExportFaults()

    def add(self, change: ExportFaultUpdate) -> ExportFaults:
        current = self.faults
        self.faults = ExportFaults(
            dropped=[*current.dropped, *change.drop],
            altered={**current.altered, **change.alter},
            chargebacks=[*current.chargebacks, *change.chargeback],
        )
        return self.faults

    def shown(self, transaction_id: str, amount_cents: int) -> int | None:
        """The amount the export shows for a transaction; None when it is left out."""
        if transaction_id in self.faults.dropped:
            return None
        return self.faults.altered.get(transaction_id, amount_cents)
