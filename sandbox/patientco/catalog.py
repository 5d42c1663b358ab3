"""Reference data the seed draws from: a health system's facilities, service lines, charges.

Codes are real CPT/HCPCS codes with the short descriptions a hospital chargemaster prints;
charge ranges are rough list prices in cents. Insurance adjusts most of each charge away;
the guarantor owes the rest.
"""

from __future__ import annotations

from typing import NamedTuple

PRACTICE = "Riverside Health System"
STAFF_DOMAIN = "riversidehealth.example"


class Procedure(NamedTuple):
    code: str
    code_system: str  # "CPT" | "HCPCS"
    description: str
    min_charge_cents: int
    max_charge_cents: int


# Service line → the procedures an encounter of that line bills.
SERVICE_LINES: dict[str, tuple[Procedure, ...]] = {
    "Emergency Medicine": (
        Procedure("99284", "CPT", "ED visit, moderate severity", 68000, 142000),
        Procedure("99283", "CPT", "ED visit, low severity", 42000, 90000),
        Procedure("96374", "CPT", "IV push, single drug", 18000, 42000),
        Procedure("J2405", "HCPCS", "Ondansetron HCl injection, 1 mg", 900, 4800),
    ),
    "Radiology": (
        Procedure("74177", "CPT", "CT abdomen and pelvis with contrast", 120000, 310000),
        Procedure("72148", "CPT", "MRI lumbar spine without contrast", 95000, 260000),
        Procedure("71046", "CPT", "Chest X-ray, 2 views", 9000, 32000),
        Procedure("Q9967", "HCPCS", "Low osmolar contrast material, per ml", 300, 2400),
    ),
    "Laboratory": (
        Procedure("80053", "CPT", "Comprehensive metabolic panel", 3500, 14000),
        Procedure("85025", "CPT", "Complete blood count with differential", 2500, 9000),
        Procedure("36415", "CPT", "Routine venipuncture", 900, 3500),
        Procedure("83036", "CPT", "Hemoglobin A1c", 2800, 8500),
    ),
    "Primary Care": (
        Procedure("99214", "CPT", "Office visit, established, moderate", 16000, 26000),
        Procedure("99203", "CPT", "Office visit, new patient, low", 14000, 23000),
        Procedure("G0439", "HCPCS", "Annual wellness visit, subsequent", 12000, 24000),
        Procedure("90471", "CPT", "Immunization administration", 2000, 6000),
    ),
    "Cardiology": (
        Procedure("93306", "CPT", "Echocardiogram, complete with Doppler", 70000, 190000),
        Procedure("93000", "CPT", "Electrocardiogram, complete", 6000, 21000),
        Procedure("99204", "CPT", "Office visit, new patient, moderate", 22000, 38000),
    ),
    "Physical Therapy": (
        Procedure("97110", "CPT", "Therapeutic exercise, each 15 min", 5000, 15000),
        Procedure("97140", "CPT", "Manual therapy, each 15 min", 5000, 14000),
        Procedure("97161", "CPT", "PT evaluation, low complexity", 15000, 28000),
    ),
}

FACILITIES: tuple[str, ...] = (
    "Riverside Medical Center",
    "Northside Outpatient Clinic",
    "Lakeview Imaging Center",
    "Riverside Heart Institute",
)

# Share of a charge left to the guarantor after insurance, in percent.
GUARANTOR_SHARES: tuple[int, ...] = (5, 10, 10, 20, 20, 30)

FIRST_NAMES: tuple[str, ...] = (
    "Alicia", "Marcus", "Renee", "Tomas", "Yuki", "Darnell", "Ingrid", "Rafael",
    "Leah", "Omar", "Bianca", "Caleb", "Nadia", "Gregory", "Mei", "Victor",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Albright", "Bennett", "Castillo", "Dubois", "Eriksen", "Foster", "Greene", "Hughes",
    "Ibarra", "Jensen", "Kowalski", "Lindqvist", "Mensah", "Novak", "Ortega", "Pryor",
)  # fmt: skip
PASSWORD_WORDS: tuple[str, ...] = (
    "granite", "lantern", "orchard", "pillar", "quartz", "saddle", "thistle", "vessel",
)  # fmt: skip
DELIVERY_CHANNELS: tuple[str, ...] = ("email", "email", "sms", "paper")
DELIVERY_STATUSES: tuple[str, ...] = ("delivered", "delivered", "delivered", "bounced", "pending")
