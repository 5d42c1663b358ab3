"""Statement and receipt PDFs (fpdf2), every field as extractable text."""

from __future__ import annotations

import sqlite3

from fpdf import FPDF

from sandbox.healthpay24.formatting import day, money, timestamp
from sandbox.healthpay24.records import method_label


def statement_filename(statement_id: str) -> str:
    return f"HealthPay24-statement-{statement_id}.pdf"


def receipt_filename(confirmation: str) -> str:
    return f"HealthPay24-receipt-{confirmation}.pdf"


def render_statement(statement: sqlite3.Row, charges: list[sqlite3.Row], guarantor: str) -> bytes:
    pdf = _document(f"Statement {statement['statement_id']}", "Patient statement")
    _fields(pdf, (
        ("Statement", statement["statement_id"]),
        ("Account number", statement["account_number"]),
        ("Guarantor", guarantor),
        ("Patient", statement["patient_name"]),
        ("Visit", f"{statement['encounter_id']} on {day(statement['visit_date'])}"),
        ("Facility", f"{statement['facility']}, {statement['department']}"),
        ("Statement date", day(statement["statement_date"])),
        ("Payment due by", day(statement["due_date"])),
        ("Amount billed", money(statement["total_cents"])),
        ("Amount due", money(statement["balance_cents"])),
    ))  # fmt: skip
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=10)
    widths = (26, 26, 86, 26, 26)
    headings = ("Date", "Code", "Description", "Charges", "You owe")
    for width, heading in zip(widths, headings, strict=True):
        pdf.cell(width, 7, heading, border="B")
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for charge in charges:
        cells = (day(charge["service_date"]), f"{charge['code']} ({charge['code_system']})",
                 charge["description"][:52], money(charge["charge_cents"]),
                 money(charge["patient_cents"]))  # fmt: skip
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 6, text)
        pdf.ln()
    pdf.ln(6)
    pdf.multi_cell(0, 5, "Pay online at HealthPay24 or call the billing office. Payments made "
                         "after the statement date may not be shown.")  # fmt: skip
    return bytes(pdf.output())


def render_receipt(payment: sqlite3.Row) -> bytes:
    pdf = _document(f"Payment receipt {payment['confirmation_number']}", "Payment receipt")
    _fields(pdf, (
        ("Confirmation number", payment["confirmation_number"]),
        ("Amount paid", money(payment["amount_cents"])),
        ("Statement", payment["statement_id"]),
        ("Account number", payment["account_number"]),
        ("Payment method", method_label(payment["brand"], payment["last4"], payment["kind"])),
        ("Payment note", payment["reference"] or "-"),
        ("Paid on", timestamp(payment["created_at"])),
    ))  # fmt: skip
    pdf.ln(8)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 5, "Thank you for your payment. Keep this receipt for your records.")
    return bytes(pdf.output())


def _document(title: str, heading: str) -> FPDF:
    pdf = FPDF(format="Letter")
    pdf.set_title(title)
    pdf.set_author("HealthPay24 sandbox")
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.cell(0, 12, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, "HealthPay24 patient billing (sandbox)", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    return pdf


def _fields(pdf: FPDF, fields: tuple[tuple[str, str], ...]) -> None:
    for label, value in fields:
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(55, 8, label)
        pdf.set_font("Helvetica", size=11)
        # Latin-1 core fonts cannot show every character a payment note may hold.
        pdf.cell(0, 8, value.encode("latin-1", "replace").decode("latin-1"),
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
