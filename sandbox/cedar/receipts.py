"""Payment receipts as real PDF documents (fpdf2), with every field as extractable text."""

from __future__ import annotations

import sqlite3

from fpdf import FPDF

from sandbox.cedar.formatting import money, timestamp


def receipt_filename(confirmation: str) -> str:
    return f"cedar-receipt-{confirmation}.pdf"


def render_receipt(payment: sqlite3.Row) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(f"Payment receipt {payment['confirmation_number']}")
    pdf.set_author("Cedar sandbox")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.cell(0, 12, "Payment receipt", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, "Cedar patient billing (sandbox)", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    reference = payment["reference"] or "-"
    fields = (
        ("Confirmation number", payment["confirmation_number"]),
        ("Amount", money(payment["amount_cents"])),
        ("Statement", payment["statement_id"]),
        ("Paid with", f"{payment['brand']} ending in {payment['last4']}"),
        ("Reference", reference),
        ("Date", timestamp(payment["created_at"])),
    )
    for label, value in fields:
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(55, 8, label)
        pdf.set_font("Helvetica", size=11)
        # Latin-1 core fonts cannot show every character a memo may hold.
        safe_value = value.encode("latin-1", "replace").decode("latin-1")
        pdf.cell(0, 8, safe_value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, "Keep this receipt for your records. Questions about your bill? "
                         "Contact your provider's billing office.")  # fmt: skip
    return bytes(pdf.output())
