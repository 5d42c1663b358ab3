"""Every adapter walks a statement's pay form up to the step that moves money, finds it as
``submit_payment`` needs it, and submits nothing; Cedar's form without its button is
``PortalChanged`` in seconds (the fault the canary must catch)."""

from __future__ import annotations

import time

import pytest

from models.errors import PortalChanged
from portals.base import PaymentFormInspector
from sandbox.common.layout import LayoutName, StructuralFault
from tests.contract.conftest import SignedIn

DETECTED_WITHIN_SECONDS = 30.0


def _open_statement_id(signed_in: SignedIn) -> str:
    return next(s.statement_id for s in signed_in.user.statements if s.balance_cents >= 1000)


async def test_the_pay_form_is_walked_without_paying(signed_in: SignedIn) -> None:
    adapter = signed_in.adapter
    assert isinstance(adapter, PaymentFormInspector)

    await adapter.inspect_payment_form(_open_statement_id(signed_in))

    assert signed_in.admin.ledger() == []


@pytest.mark.parametrize("portal_name", ["cedar"], indirect=True)
async def test_a_pay_form_without_its_button_is_portal_changed(signed_in: SignedIn) -> None:
    adapter = signed_in.adapter
    assert isinstance(adapter, PaymentFormInspector)
    signed_in.admin.set_layout(LayoutName.V1, StructuralFault.NO_PAY_BUTTON)

    started = time.monotonic()
    with pytest.raises(PortalChanged, match="submit button"):
        await adapter.inspect_payment_form(_open_statement_id(signed_in))

    assert time.monotonic() - started <= DETECTED_WITHIN_SECONDS
    assert signed_in.admin.ledger() == []
