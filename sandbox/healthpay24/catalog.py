"""Reference data the HealthPay24 seed draws from: hospital services, facilities, names.

HealthPay24 serves hospitals and health systems, so its statements read like hospital bills:
emergency visits, imaging, labs and outpatient procedures at named facilities and
departments. Codes are real CPT/HCPCS codes; charge ranges are rough list prices in cents.
"""

from __future__ import annotations

from typing import NamedTuple


class Service(NamedTuple):
    code: str
    code_system: str  # "CPT" | "HCPCS"
    description: str
    min_charge_cents: int
    max_charge_cents: int


class Department(NamedTuple):
    name: str
    services: tuple[Service, ...]


_LAB = (
    Service("80053", "CPT", "Comprehensive metabolic panel", 4000, 16000),
    Service("85025", "CPT", "Complete blood count with differential", 3000, 9500),
    Service("36415", "CPT", "Venipuncture (blood draw)", 1000, 3500),
    Service("84443", "CPT", "Thyroid stimulating hormone (TSH)", 3500, 12000),
)
DEPARTMENTS: tuple[Department, ...] = (
    Department("Emergency Department", (
        Service("99284", "CPT", "Emergency department visit, moderate severity", 45000, 120000),
        Service("99283", "CPT", "Emergency department visit, low severity", 25000, 70000),
        Service("J2405", "HCPCS", "Injection, ondansetron hydrochloride, 1 mg", 800, 4000),
        Service("J7030", "HCPCS", "Infusion, normal saline solution, 1000 cc", 4000, 15000),
        _LAB[0], _LAB[1],
    )),
    Department("Radiology", (
        Service("70450", "CPT", "CT head or brain without contrast", 60000, 240000),
        Service("72148", "CPT", "MRI lumbar spine without contrast", 90000, 320000),
        Service("71046", "CPT", "Chest X-ray, 2 views", 12000, 38000),
        Service("Q9967", "HCPCS", "Low osmolar contrast material, per ml", 500, 3000),
    )),
    Department("Laboratory", _LAB),
    Department("Cardiology", (
        Service("93005", "CPT", "Electrocardiogram, tracing only", 8000, 26000),
        Service("93306", "CPT", "Echocardiogram, complete, with Doppler", 80000, 260000),
        Service("99204", "CPT", "Office visit, new patient, moderate complexity", 22000, 42000),
    )),
    Department("Orthopedics", (
        Service("99214", "CPT", "Office visit, established patient, moderate complexity",
                17000, 32000),
        Service("73721", "CPT", "MRI of knee without contrast", 90000, 280000),
        Service("20610", "CPT", "Arthrocentesis or injection, major joint", 15000, 45000),
    )),
    Department("Physical Therapy", (
        Service("97161", "CPT", "Physical therapy evaluation, low complexity", 12000, 30000),
        Service("97110", "CPT", "Therapeutic exercise, each 15 minutes", 5000, 16000),
    )),
)  # fmt: skip

# Planned procedures a hospital estimates before the visit (deposits are asked for these).
ELECTIVE: tuple[Service, ...] = (
    Service("29881", "CPT", "Knee arthroscopy with meniscectomy", 450000, 900000),
    Service("45378", "CPT", "Colonoscopy, diagnostic", 180000, 420000),
    Service("66984", "CPT", "Cataract removal with lens implant", 320000, 650000),
    Service("47562", "CPT", "Laparoscopic cholecystectomy", 800000, 1500000),
    Service("72148", "CPT", "MRI lumbar spine without contrast", 90000, 320000),
    Service("00810", "CPT", "Anesthesia for lower intestinal endoscopy", 60000, 150000),
    Service("J2250", "HCPCS", "Injection, midazolam hydrochloride, 1 mg", 500, 2500),
)

FACILITIES: tuple[str, ...] = (
    "Riverside Medical Center",
    "Northgate Outpatient Pavilion",
    "St. Elena Community Hospital",
    "Lakeshore Imaging Center",
)

# Share of a charge left to the patient after insurance, in percent.
PATIENT_SHARES: tuple[int, ...] = (10, 15, 20, 20, 30, 40, 100)

FIRST_NAMES: tuple[str, ...] = (
    "Amara", "Benjamin", "Chloe", "Daniel", "Elena", "Felix", "Gabriela", "Hiro",
    "Isabel", "Jonah", "Keiko", "Lucas", "Mira", "Nathan", "Omar", "Paula",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Abernathy", "Bianchi", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gupta", "Hollis",
    "Ibarra", "Jansen", "Kowalski", "Lindqvist", "Mensah", "Novak", "Oyelaran", "Petrov",
)  # fmt: skip
PASSWORD_WORDS: tuple[str, ...] = (
    "lantern", "orchard", "granite", "saffron", "tundra", "beacon", "marble", "thistle",
)  # fmt: skip
