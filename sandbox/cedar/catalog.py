"""Reference data the seed draws from: procedure codes, names and card brands.

Codes are real CPT/HCPCS codes with plain-language descriptions, so statements read like the
ones patients actually receive; charge ranges are rough list prices in cents.
"""

from __future__ import annotations

from typing import NamedTuple


class Procedure(NamedTuple):
    code: str
    code_system: str  # "CPT" | "HCPCS"
    description: str
    min_charge_cents: int
    max_charge_cents: int


PROCEDURES: tuple[Procedure, ...] = (
    Procedure("99213", "CPT", "Office visit, established patient, low complexity", 11000, 19000),
    Procedure(
        "99214", "CPT", "Office visit, established patient, moderate complexity", 16000, 26000
    ),
    Procedure("99203", "CPT", "Office visit, new patient, low complexity", 14000, 23000),
    Procedure("80053", "CPT", "Comprehensive metabolic panel", 3500, 14000),
    Procedure("85025", "CPT", "Complete blood count (CBC) with differential", 2500, 9000),
    Procedure("36415", "CPT", "Routine venipuncture (blood draw)", 900, 3500),
    Procedure("71046", "CPT", "Chest X-ray, 2 views", 9000, 32000),
    Procedure("93000", "CPT", "Electrocardiogram (ECG), complete", 6000, 21000),
    Procedure("81001", "CPT", "Urinalysis with microscopy", 1200, 4500),
    Procedure("73630", "CPT", "X-ray of foot, 3 views", 8000, 26000),
    Procedure("90471", "CPT", "Immunization administration, first vaccine", 2000, 6000),
    Procedure("97110", "CPT", "Therapeutic exercise, each 15 minutes", 5000, 15000),
    Procedure("J1100", "HCPCS", "Injection, dexamethasone sodium phosphate, 1 mg", 500, 3000),
    Procedure("G0008", "HCPCS", "Administration of influenza virus vaccine", 2500, 7000),
    Procedure("J3301", "HCPCS", "Injection, triamcinolone acetonide, 10 mg", 1500, 6000),
    Procedure("G0439", "HCPCS", "Annual wellness visit, subsequent", 12000, 24000),
)

# Share of a charge left to the patient after insurance, in percent.
PATIENT_SHARES: tuple[int, ...] = (10, 20, 20, 30, 50, 100)

FIRST_NAMES: tuple[str, ...] = (
    "Maria", "James", "Aisha", "Wei", "Olivia", "Mateo", "Priya", "Noah",
    "Fatima", "Liam", "Sofia", "Ethan", "Grace", "Diego", "Hana", "Samuel",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Lopez", "Carter", "Okafor", "Zhang", "Nguyen", "Rossi", "Patel", "Kim",
    "Haddad", "Murphy", "Silva", "Brooks", "Tanaka", "Moreno", "Fischer", "Reyes",
)  # fmt: skip
PASSWORD_WORDS: tuple[str, ...] = (
    "maple", "harbor", "copper", "willow", "summit", "meadow", "cobalt", "juniper",
)  # fmt: skip

# Brand and the last four digits of that brand's public test card number.
CARD_BRANDS: tuple[tuple[str, str], ...] = (
    ("Visa", "4242"),
    ("Mastercard", "4444"),
    ("American Express", "8431"),
    ("Discover", "1117"),
)
