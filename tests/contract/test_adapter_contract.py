"""The PortalAdapter contract, the same for every vendor and on both layouts of its sandbox
(``sandbox.common.layout``): valid normalized models for the seeded data, agreeing with each
sandbox's own database and ledger.

Every adapter runs in real Chromium against its sandbox process over HTTP.
"""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from models.accounts import Account
from models.connections import PortalName
from models.errors import AmountExceedsBalance
from models.estimates import Estimate
from models.money import Money
from models.payments import Payment, PaymentSubmission
from models.settlements import SettlementBatch
from models.statements import Statement, StatementStatus, StatementSummary
from portals.base import (
    AccountReader,
    EstimateReader,
    SettlementReader,
    StatementLister,
    UnattendedSignIn,
)
from sandbox.common.layout import LayoutName
from tests.contract.conftest import SignedIn

# Each portal's redesign (other ids and classes, blocks reordered, wrappers, a cookie banner)
# must read and pay exactly as the original does.
pytestmark = pytest.mark.parametrize(
    "layout", [LayoutName.V1, LayoutName.V2], ids=lambda name: str(name)
)


def _vendor_of(model: Account | StatementSummary) -> str | None:
    return model.extension.vendor if model.extension is not None else None


async def test_signed_in_session_is_recognized(signed_in: SignedIn) -> None:
    adapter = signed_in.adapter
    assert isinstance(adapter, UnattendedSignIn)
    assert await adapter.is_signed_in()


async def test_accounts_and_guarantors_match_the_portal_database(signed_in: SignedIn) -> None:
    adapter = signed_in.adapter
    assert isinstance(adapter, AccountReader)
    accounts = await adapter.list_accounts()

    truth = {a.account_id: a for a in signed_in.admin.accounts(signed_in.user.username)}
    assert accounts and all(isinstance(account, Account) for account in accounts)
    assert {account.identifier for account in accounts} == set(truth)
    for account in accounts:
        expected = truth[account.identifier]
        assert account.guarantor.name == expected.guarantor_name
        assert account.guarantor.identifier == expected.guarantor_id
        assert account.balance == Money(amount_cents=expected.balance_cents)
        if expected.mrn is not None:
            assert account.guarantor.mrn == expected.mrn
        if expected.birth_date is not None:
            assert account.guarantor.birth_date is not None
            assert account.guarantor.birth_date.isoformat() == expected.birth_date
        assert _vendor_of(account) in (None, signed_in.portal.value)


async def test_statements_list_matches_the_portal_database(signed_in: SignedIn) -> None:
    adapter = signed_in.adapter
    assert isinstance(adapter, StatementLister)
    summaries = await adapter.list_statements()

    truth = {s.statement_id: s for s in signed_in.user.statements}
    assert summaries and all(isinstance(summary, StatementSummary) for summary in summaries)
    assert sorted(s.statement_id for s in summaries) == sorted(truth)
    for summary in summaries:
        expected = truth[summary.statement_id]
        assert summary.total.amount_cents == expected.total_cents
        assert summary.balance.amount_cents == expected.balance_cents
        assert summary.due_on.isoformat() == expected.due_on
        paid = summary.status is StatementStatus.BALANCED
        assert paid == (expected.balance_cents <= 0)
        assert _vendor_of(summary) in (None, signed_in.portal.value)


async def test_statement_detail_has_the_itemized_charges(signed_in: SignedIn) -> None:
    for summary in signed_in.user.statements[:3]:
        statement = await signed_in.adapter.get_statement(summary.statement_id)

        expected = signed_in.admin.statement(summary.statement_id)
        assert isinstance(statement, Statement)
        assert statement.balance.amount_cents == expected.balance_cents
        assert len(statement.line_items) == len(expected.line_items)
        assert sum(i.patient_responsibility.amount_cents for i in statement.line_items) == (
            expected.total_cents
        )
        assert {i.code_system for i in statement.line_items} <= {"CPT", "HCPCS"}


async def test_payment_posted_found_by_reference_and_receipted(signed_in: SignedIn) -> None:
    adapter, admin = signed_in.adapter, signed_in.admin
    statement = next(s for s in signed_in.user.statements if s.balance_cents >= 1000)
    card = next(
        m
        for m in admin.statement(statement.statement_id).payment_methods
        if m.kind == "card" and m.outcome == "approved"
    )
    reference = f"BB-{uuid.uuid4().hex[:16]}"
    assert await adapter.find_payment(reference) is None

    confirmation = await adapter.submit_payment(
        PaymentSubmission(
            statement_id=statement.statement_id,
            amount=Money(amount_cents=1234),
            payment_method_token=card.token,
            reference=reference,
        )
    )
    posted = confirmation.payment

    assert isinstance(posted, Payment)
    assert (posted.statement_id, posted.amount.amount_cents, posted.reference) == (
        statement.statement_id,
        1234,
        reference,
    )
    assert posted.method_last4 == card.last4
    [recorded] = admin.ledger(reference=reference)
    assert recorded.confirmation_number == posted.confirmation_number
    assert recorded.amount_cents == 1234 and recorded.card_token == card.token
    found = await adapter.find_payment(reference)
    assert found is not None and found.confirmation_number == posted.confirmation_number
    after = await adapter.get_statement(statement.statement_id)
    assert after.balance.amount_cents == statement.balance_cents - 1234
    # Every sandbox's confirmation shows it: the payment needs no statement read after.
    assert confirmation.balance_after == after.balance
    receipt = await adapter.download_receipt(posted.confirmation_number)
    assert receipt.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.content)).pages)
    assert posted.confirmation_number in text


async def test_an_amount_over_the_balance_is_refused_before_anything_is_posted(
    signed_in: SignedIn,
) -> None:
    statement = next(s for s in signed_in.user.statements if s.balance_cents > 0)
    card = next(
        m
        for m in signed_in.admin.statement(statement.statement_id).payment_methods
        if m.kind == "card" and m.outcome == "approved"
    )
    reference = f"BB-{uuid.uuid4().hex[:16]}"
    with pytest.raises(AmountExceedsBalance, match="exceeds the balance due"):
        await signed_in.adapter.submit_payment(
            PaymentSubmission(
                statement_id=statement.statement_id,
                amount=Money(amount_cents=statement.balance_cents + 1),
                payment_method_token=card.token,
                reference=reference,
            )
        )
    assert signed_in.admin.ledger(reference=reference) == []


async def _post_one_payment(signed_in: SignedIn, cents: int) -> Payment:
    statement = next(s for s in signed_in.user.statements if s.balance_cents >= cents)
    card = next(
        m
        for m in signed_in.admin.statement(statement.statement_id).payment_methods
        if m.kind == "card" and m.outcome == "approved"
    )
    return (
        await signed_in.adapter.submit_payment(
            PaymentSubmission(
                statement_id=statement.statement_id,
                amount=Money(amount_cents=cents),
                payment_method_token=card.token,
                reference=f"BB-{uuid.uuid4().hex[:16]}",
            )
        )
    ).payment


@pytest.mark.parametrize("portal_name", [PortalName.PATIENTCO])
async def test_settlement_batches_match_the_portal_database(signed_in: SignedIn) -> None:
    """Where the vendor settles in batches (Patientco): PaymentReconciliation per batch."""
    adapter = signed_in.adapter
    assert isinstance(adapter, SettlementReader)
    posted = await _post_one_payment(signed_in, 1500)
    assert signed_in.admin.close_settlement_batch() is not None

    batches = await adapter.list_settlement_batches()

    truth = {b["batch_id"]: b for b in signed_in.admin.settlement_batches()}
    assert batches and all(isinstance(batch, SettlementBatch) for batch in batches)
    assert {batch.identifier for batch in batches} == set(truth)
    for batch in batches:
        expected = truth[batch.identifier]
        assert batch.payment_amount.amount_cents == expected["net_cents"]
        assert sorted(d.identifier for d in batch.details) == sorted(
            t["transaction_id"] for t in expected["transactions"]
        )
    details = [d for batch in batches for d in batch.details]
    assert posted.confirmation_number in {d.identifier for d in details}


@pytest.mark.parametrize("portal_name", [PortalName.HEALTHPAY24])
async def test_estimates_match_the_portal_database(signed_in: SignedIn) -> None:
    """Where the vendor publishes estimates (HealthPay24)."""
    adapter = signed_in.adapter
    assert isinstance(adapter, EstimateReader)

    estimates = await adapter.list_estimates()

    truth = {e.estimate_id: e for e in signed_in.admin.estimates(signed_in.user.username)}
    assert estimates and all(isinstance(estimate, Estimate) for estimate in estimates)
    assert {estimate.identifier for estimate in estimates} == set(truth)
    for estimate in estimates:
        expected = truth[estimate.identifier]
        assert estimate.patient_responsibility.amount_cents == expected.patient_cents
        assert estimate.deposit_due.amount_cents == expected.deposit_cents
        assert estimate.status.value == expected.status
        assert [line.code for line in estimate.lines] == [line.code for line in expected.lines]
