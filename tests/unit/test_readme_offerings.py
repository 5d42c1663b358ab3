"""The README's table of who offers which process says what the adapters implement."""

from __future__ import annotations

from pathlib import Path

from models.connections import PortalName
from models.offerings import Process
from portals.offerings import offered_by

README = Path(__file__).resolve().parents[2] / "README.md"
COLUMNS = (PortalName.CEDAR, PortalName.PATIENTCO, PortalName.HEALTHPAY24)  # the table's


def _table() -> dict[str, list[PortalName]]:
    text = README.read_text(encoding="utf-8")
    rows = text.split("<!-- offerings -->")[1].split("<!-- /offerings -->")[0].splitlines()
    offered: dict[str, list[PortalName]] = {}
    for row in rows[3:]:  # after the blank line, the header and its rule
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        offered[cells[0]] = [
            portal for portal, cell in zip(COLUMNS, cells[2:5], strict=True) if cell != "—"
        ]
    return offered


# The README's row for each process.
ROWS = {
    Process.PAYMENT_PLANS: "payment plans with autopay",
    Process.PLAN_PAUSES: "pausing payment plans",
    Process.REFUNDS: "refunds and voids",
    Process.ESTIMATE_DEPOSITS: "estimate deposits",
    Process.SETTLEMENT_EXPORTS: "settlement reconciliation",
}


def test_the_readme_table_names_every_process_and_who_offers_it() -> None:
    table = _table()

    assert set(table) == set(ROWS.values())
    for process in Process:
        assert table[ROWS[process]] == offered_by(process), process
