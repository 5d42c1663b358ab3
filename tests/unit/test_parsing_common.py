"""The shared layout readers every vendor's parsing calls with its own pattern and message."""

from __future__ import annotations

import re

import pytest

from models.errors import PortalChanged
from models.payments import PaymentMethodKind
from portals import parsing_common as common

CODE = re.compile(r"(?P<system>CPT|HCPCS)-(?P<code>[A-Z0-9]{5})")
METHOD = re.compile(r"(?P<ach>Bank )?(?P<brand>.+?) \*(?P<last4>\d{4})")


def test_procedure_code_reads_the_named_groups() -> None:
    assert common.procedure_code(" HCPCS-J1100 ", CODE, "unused") == ("HCPCS", "J1100")


def test_payment_method_is_ach_only_when_its_group_matched() -> None:
    assert common.payment_method("Visa *4242", METHOD, "unused") == (PaymentMethodKind.CARD, "4242")
    assert common.payment_method("Bank Checking *6789", METHOD, "unused") == (
        PaymentMethodKind.ACH,
        "6789",
    )


def test_text_in_another_layout_is_portal_changed_with_the_vendors_message() -> None:
    with pytest.raises(PortalChanged) as code:
        common.procedure_code("CPT 99213", CODE, "a code in another layout")
    with pytest.raises(PortalChanged) as method:
        common.payment_method("Visa ending in 4242", METHOD, "a method in another layout")
    assert code.value.message == "a code in another layout"
    assert method.value.message == "a method in another layout"
