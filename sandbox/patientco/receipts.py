"""Payment receipts as real PDF documents (fpdf2), with every field as extractable text."""

from __future__ import annotations

import sqlite3

from fpdf import FPDF

from sandbox.patientco.catalog import PRACTICE
from sandbox.patientco.formatting import money, timestamp


def receipt_filename(transaction_id: str) -> str:
    return f"patientco-receipt-{transaction_id}.pdf"


def method_label(row: sqlite3.Row) -> str:
    """ "Visa x4242" for a card, "ACH Checking x6789" for a bank account."""
    prefix = "ACH " if row["method_kind"] == "ach" else ""
    return f"{prefix}{row['brand']} x{row['last4']}"


def render_receipt(payment: sqlite3.Row, status: str) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(f"Payment receipt {payment['transaction_id']}")
    pdf.set_author("Patientco sandbox")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, PRACTICE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, "Payment receipt - processed by Patientco (sandbox)", new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    pdf.ln(6)
    fields = (
        ("Transaction ID", payment["transaction_id"]),
        ("Status", status),
        ("Guarantor", f"{payment['guarantor_name']} ({payment['guarantor_number']})"),
        ("Account", payment["account_number"]),
        ("Applied to", payment["statement_id"] or "Account balance"),
        ("Amount", money(payment["amount_cents"])),
        ("Payment method", method_label(payment)),
        ("Reference", payment["reference"] or "-"),
        ("Posted", timestamp(payment["created_at"])),
    )
    for label, value in fields:
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(50, 8, label)
        pdf.set_font("Helvetica", size=11)
        # Latin-1 core fonts cannot show every character a reference may hold.
        pdf.cell(0, 8, str(value).encode("latin-1", "replace").decode("latin-1"),
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(8)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, "Retain this receipt for the guarantor's records. Payments settle in "
                         "the next daily batch.")  # fmt: skip
    return bytes(pdf.output())
