"""The no-PHI scan's own readers and values (tests/e2e/phi_scan.py, tests/sensitive_values.py):
each can see what it looks for, so a clean scan means clean, not blind."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from tests.e2e.phi_scan import UnreadablePdf, files_under
from tests.sensitive_values import EMAIL, NAME, PHONE, Scanner, seeded_values

_SEEDED_PHONE = "+1 555-010-0112"  # sandbox/cedar/seed.py SMS_PHONE
_SEEDED_EMAIL = "email.patient@example.com"  # sandbox/cedar/seed.py EMAIL_ADDRESS


def _pdf(path: Path, line: str | None) -> Path:
    document = FPDF()
    document.add_page()
    if line is not None:
        document.set_font("Helvetica", size=12)
        document.cell(text=line)
    path.write_bytes(bytes(document.output()))
    return path


def test_a_pdf_is_read_as_its_reader_shows_it(tmp_path: Path) -> None:
    name = next(value for value in seeded_values() if value.kind == NAME)
    pdf = _pdf(tmp_path / "receipt.pdf", f"Guarantor: {name.value}")

    places = list(files_under([pdf], "home file"))

    # Deflated, the bytes alone hide the name; the PDF text shows it.
    assert [place.where.endswith("(PDF text)") for place in places] == [True, False]
    assert Scanner([name]).find(places[0].text)
    assert not Scanner([name]).find(places[1].text)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", b"%PDF-1.4\nnot a pdf at all\n%%EOF\n"],
    ids=["truncated", "garbage"],
)
def test_a_pdf_that_does_not_parse_fails_the_scan(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data)

    with pytest.raises(UnreadablePdf, match=r"damaged\.pdf: not a readable PDF"):
        list(files_under([path], "home file"))


def test_a_pdf_without_text_fails_the_scan(tmp_path: Path) -> None:
    pdf = _pdf(tmp_path / "blank.pdf", None)

    with pytest.raises(UnreadablePdf, match="without extractable text"):
        list(files_under([pdf], "home file"))


def test_seeded_phone_numbers_and_emails_are_searched_in_every_written_form() -> None:
    scanner = Scanner(seeded_values())
    written = [
        f"texted to {_SEEDED_PHONE}",
        "phone=5550100112&next=1",
        "call (555) 010-0112",
        f"mailto:{_SEEDED_EMAIL}",
        "to=email.patient%40example.com",
    ]
    for text in written:
        assert {hit.kind for hit in scanner.find(text)} & {PHONE, EMAIL}, text


def test_masked_destinations_are_not_findings() -> None:
    """What the portals show and BillBridge keeps on purpose (sandbox/common/outbox.py,
    sandbox/healthpay24/auth.py): too little to reach anyone."""
    scanner = Scanner(seeded_values())
    for masked in ("***-***-0112", "(***) ***-0112", "e***@example.com",
                   "e***@riversidehealth.example"):  # fmt: skip
        assert scanner.find(f"sent a code to {masked}") == [], masked
