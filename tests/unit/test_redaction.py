"""The redactor: each category of sensitive text, the known-values registry, the log filter
as the entry points install it, and activity failures built from portal text."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError, CancelledError

from models.accounts import Account, Guarantor
from models.errors import PortalChanged, PortalUnavailable, StatementNotFound
from models.money import Money
from models.vendor_extensions import PatientcoAccountExtension
from sandbox.cedar.seed import seed_users
from sandbox.cedar.settings import SandboxSettings as CedarSettings
from sandbox.patientco.seed import build_guarantors
from sandbox.patientco.settings import SandboxSettings as PatientcoSettings
from security.redacted_failures import redacted_failure
from security.redaction import Redactor, birth_date_spellings, redactor, remember_account

ROOT = Path(__file__).resolve().parents[2]
UNUSED = Path("unused.sqlite")  # the seed settings only: no database is opened


@pytest.fixture
def fresh() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4242 4242 4242 4242 exp 12/30", "card [card number] exp 12/30"),
        ("3782-822463-10005", "[card number]"),
        ("method tok_c0ffee00d15ea5e0ba5eba11", "method tok_…ba11"),
        ("bank btok_0a1b2c3d4e5f60718293a4b5", "bank btok_…a4b5"),
        ("write to jane.doe+bills@example.co.uk now", "write to [email] now"),
        ("text +1 555-010-0112 or (555) 010-0112", "text [phone] or [phone]"),
        ("call 555.010.0112", "call [phone]"),
        ("SSN 123-45-6789", "SSN [SSN]"),
        ("DOB: 03/14/1962", "DOB: [date of birth]"),
        ("date of birth is 1962-03-14", "date of birth is [date of birth]"),
        ("birth_date=datetime.date(1962, 3, 14)", "birth_date=[date of birth]"),
        ("born March 14, 1962", "born [date of birth]"),
        ("MRN1234567 and MRN: 00012345", "[MRN] and MRN: [MRN]"),
        ("mrn='MRN7654321'", "mrn='[MRN]'"),
        ("your code is 123456", "your code is [code]"),
        (
            "CodeEntry(connection_id='c', code='246810')",
            "CodeEntry(connection_id='c', code='[code]')",
        ),
        ("OTP: 0042", "OTP: [code]"),
        ("Patient: Mary Smith-Jones", "Patient: [name]"),
        (
            "Guarantor(identifier='G1', name='Ana Ruiz')",
            "Guarantor(identifier='G1', name='[name]')",
        ),
        ("guarantor: Sean O'Brien.", "guarantor: [name]"),
        ("username=demo.patient", "username=[username]"),
        ("password=hunter22 secret: JBSWY3DPEHPK3PXP", "password=[secret] secret: [secret]"),
        ("Authorization: Bearer abcdefghijkl", "Authorization: [secret] [secret]"),
    ],
)
def test_each_category_is_redacted(fresh: Redactor, text: str, expected: str) -> None:
    assert fresh.redact(text) == expected
    assert fresh.redact(expected) == expected  # redacting twice changes nothing more


@pytest.mark.parametrize(
    "text",
    [
        "login: the portal rejected the username or password",
        "statement ST-100123 is not in this Patientco console",
        "payment_method_token must be a processor token such as 'tok_…'",
        "amount $1,234.56 exceeds the balance due $12.00 on statement ST-100123",
        "statement issued 2025-06-30, due 07/30/2025",
        "pay_submit: the portal answered HTTP 503",
        "payment step posting_payment ({'workflow_id': 'payment-k1', 'attempt': 1})",
        "the code expired before it was entered; send a new one",
        "confirmation CNF-8F3A2C reference BB-3f9a2c41d07e5b68",
        "account 4820193377 balance $88.10",
    ],
)
def test_ordinary_operational_text_is_left_alone(fresh: Redactor, text: str) -> None:
    assert fresh.redact(text) == text


def test_known_names_in_any_spelling(fresh: Redactor) -> None:
    fresh.remember("Jane Q. Doe", kind="name")
    assert fresh.redact("paid by Jane Q. Doe") == "paid by [name]"
    assert fresh.redact("JANE Q. DOE") == "[name]"
    assert fresh.redact("Doe, Jane called; DOE again") == "[name] called; [name] again"
    # A name part is matched as a name, not as an ordinary lower-case word.
    assert fresh.redact("a doe in the woods") == "a doe in the woods"
    assert fresh.redact("Janet Doerr") == "Janet Doerr"


def test_known_dates_of_birth_in_every_spelling(fresh: Redactor) -> None:
    fresh.remember(date(1962, 3, 14))
    for spelling in birth_date_spellings(date(1962, 3, 14)):
        assert fresh.redact(f"x {spelling} y") == "x [date of birth] y", spelling
    assert fresh.redact("visit 1962-03-15") == "visit 1962-03-15"


def test_known_mrns_codes_usernames_and_secrets(fresh: Redactor) -> None:
    fresh.remember("00734512", kind="mrn")
    fresh.remember("913577", kind="code")
    fresh.remember("demo.patient", kind="username")
    fresh.remember("demo-password", kind="secret")
    text = "record 00734512, sent 913577 for demo.patient with demo-password"
    assert fresh.redact(text) == "record [MRN], sent [code] for [username] with [secret]"
    fresh.remember("ab", kind="name")  # too short to redact safely: ignored
    assert fresh.redact("tab ab") == "tab ab"


def test_forget_all_and_the_size_limit() -> None:
    small = Redactor(max_known=3)
    for value in ("alpha1", "bravo2", "charlie3", "delta4"):
        small.remember(value)
    assert small.redact("alpha1 delta4") == "alpha1 [redacted]"  # the oldest went first
    small.forget_all()
    assert small.redact("delta4") == "delta4"


def test_an_adapters_account_is_remembered(
    fresh: Redactor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("security.redaction.redactor", fresh)
    remember_account(
        Account(
            identifier="4820193377",
            name="Leo Ruiz",
            guarantor=Guarantor(
                identifier="G100200", name="Ana Ruiz", birth_date=date(1971, 5, 2), mrn="00734512"
            ),
            balance=Money(amount_cents=100),
            extension=PatientcoAccountExtension(
                guarantor_number="G100200", patient_mrns=("MRN5550001",)
            ),
        )
    )
    text = "Ana Ruiz (born 05/02/1971, 00734512) pays for Leo Ruiz, MRN5550001"
    assert fresh.redact(text) == "[name] (born [date of birth], [MRN]) pays for [name], [MRN]"
    assert "4820193377" in fresh.redact("account 4820193377")  # an account number is no PHI


# --- the log filter, configured as the entry points configure it ------------------------------

_LOGGING_SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    from datetime import date
    from models.accounts import Account, Guarantor
    from models.errors import PortalChanged
    from models.money import Money
    from security.redacted_logging import configure_logging
    from security.redaction import redactor, remember_account

    people = json.loads(sys.stdin.read())
    configure_logging(logging.INFO)
    for person in people:  # as the adapters and the credential resolution remember them
        remember_account(Account(
            identifier="A1", balance=Money(amount_cents=1),
            guarantor=Guarantor(identifier="G1", name=person["name"],
                                birth_date=date.fromisoformat(person["birth_date"])
                                if person["birth_date"] else None,
                                mrn=person["mrn"]),
        ))
        if person["username"]:
            redactor.remember(person["username"], kind="username")
            redactor.remember(person["password"], kind="secret")
    for person in people:
        values = [v for v in person.values() if v]
        logging.getLogger("billbridge.worker").info("seen: %s", " | ".join(values))
        logging.getLogger("temporalio.activity").warning("Completing activity as failed %r", person)
        logging.getLogger("temporalio.workflow").info("payment step for %s", person["name"])
        try:
            raise PortalChanged(f"account: heading shows {person['name']} {person['birth_date']}")
        except PortalChanged:
            logging.getLogger("portals").exception("adapter failed")
        us = person["birth_date"] and date.fromisoformat(person["birth_date"]).strftime("%m/%d/%Y")
        logging.getLogger("x").warning("DOB %s MRN %s phone %s email %s", us, person["mrn"],
                                       person["phone"], person["email"])
    """
)


def _seeded_people() -> list[dict[str, str | None]]:
    """Cedar's patients (names, logins, phone, email) and Patientco's guarantors and patients
    (names, dates of birth, MRNs), from the sandboxes' seed modules and default settings."""
    cedar, patientco = CedarSettings(db_path=UNUSED), PatientcoSettings(db_path=UNUSED)
    people: list[dict[str, str | None]] = []
    for user in seed_users(cedar.seed, cedar.patients):
        people.append(
            {"name": user.full_name, "birth_date": None, "mrn": None, "username": user.username,
             "password": user.password, "phone": user.phone, "email": user.email}
        )  # fmt: skip
    for guarantor in build_guarantors(patientco.seed, patientco.guarantors):
        for patient in guarantor.patients:
            people.append(
                {"name": patient.name, "birth_date": patient.birth_date.isoformat(),
                 "mrn": patient.mrn, "username": None, "password": None, "phone": None,
                 "email": None}
            )  # fmt: skip
    return people


def test_a_log_record_through_the_configured_logging_holds_no_seeded_value() -> None:
    people = _seeded_people()
    result = subprocess.run(
        [sys.executable, "-c", _LOGGING_SCRIPT],
        input=json.dumps(people),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    output = result.stderr
    assert "[name]" in output and "Traceback" in output and "PortalChanged" in output
    for person in people:
        for field, value in person.items():
            if not value:
                continue
            assert value not in output, f"a seeded {field} was logged"
            if field == "birth_date":
                assert date.fromisoformat(value).strftime("%m/%d/%Y") not in output
            if field == "name":
                assert value.upper() not in output


# --- activity failures ---------------------------------------------------------------------------


def test_a_typed_error_built_from_portal_text_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = Redactor()
    monkeypatch.setattr("security.redaction.redactor", fresh)
    [guarantor, *_] = build_guarantors(PatientcoSettings(db_path=UNUSED).seed, 1)
    fresh.remember(guarantor.name, kind="name")
    portal_text = (
        f"account: the heading reads 'Account of {guarantor.name}, {guarantor.patients[0].mrn}'"
    )
    original = PortalChanged(portal_text, {"screenshot": "failures/wf/1-1.png"})

    safe = redacted_failure(original)

    assert isinstance(safe, PortalChanged) and safe is not original
    assert guarantor.name not in safe.message and guarantor.patients[0].mrn not in safe.message
    assert safe.message == "account: the heading reads 'Account of [name], [MRN]'"
    assert safe.non_retryable and safe.type == "PortalChanged"
    assert list(safe.details) == [{"screenshot": "failures/wf/1-1.png"}]


def test_causes_and_retryability_survive_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("security.redaction.redactor", Redactor())
    try:
        try:
            raise KeyError("Patient: Ana Ruiz")
        except KeyError as inner:
            raise PortalUnavailable("statement: the page for Patient: Ana Ruiz failed") from inner
    except PortalUnavailable as err:
        safe = redacted_failure(err)
    assert isinstance(safe, PortalUnavailable) and not safe.non_retryable
    assert "Ana" not in safe.message
    cause = safe.__cause__
    assert isinstance(cause, ApplicationError) and cause.type == "KeyError"
    assert "Ana" not in cause.message and not cause.non_retryable


def test_a_pydantic_error_never_quotes_its_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("security.redaction.redactor", Redactor())

    class Parsed(BaseModel):
        amount_cents: int

    with pytest.raises(ValueError) as caught:
        Parsed.model_validate({"amount_cents": "Ana Ruiz 1962-03-14"})
    safe = redacted_failure(caught.value)
    assert isinstance(safe, ApplicationError) and safe.type == "ValidationError"
    assert "Ana" not in safe.message and "1962" not in safe.message
    assert "amount_cents" in safe.message


def test_clean_errors_and_control_flow_pass_untouched() -> None:
    clean = StatementNotFound("statement ST-000000 is not in this Cedar login")
    assert redacted_failure(clean) is clean
    cancelled = CancelledError("cancelled")
    assert redacted_failure(cancelled) is cancelled
    plain = RuntimeError("browser closed")
    assert redacted_failure(plain) is plain


def test_the_process_wide_redactor_is_the_one_the_hooks_use() -> None:
    from security import redaction

    assert redaction.redactor is redactor
