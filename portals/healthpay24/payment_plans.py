"""HealthPay24 payment plans with autopay: terms, enrollment, the plan page and its actions.

A plan is enrolled from its statement's payment-plan page; our client reference goes into
the "Plan note", which the plans list shows, so a retried enrollment finds the plan instead
of making a second one. Every action (pause, resume, change, cancel) lands back on the
plan's page, which is read as the answer. Asking for what a plan already is (pausing a
paused plan, cancelling a cancelled one) answers the plan as it is: a retry after a lost
answer must not fail.
"""

from __future__ import annotations

from playwright.async_api import Page

from models.errors import (
    InvalidAmount,
    InvalidInput,
    PlanNotFound,
    PlanRefused,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules, PlanStatus
from portals.healthpay24 import parsing, plan_parsing
from portals.healthpay24.pages.plan_change_page import PlanChangePage
from portals.healthpay24.pages.plan_offer_page import PlanOfferPage
from portals.healthpay24.pages.plan_page import PlanPage
from portals.healthpay24.pages.plans_page import PlansPage
from portals.healthpay24.sign_in import path_of, raise_if_signed_out
from portals.reconciliation import answer_may_be_lost, only_match
from portals.refusals import Refusal, refusal

_FORM_REFUSALS = (
    Refusal(("more than the amount due",), PlanRefused,
            "the installment covers the whole amount due: that is a payment, not a plan"),
    Refusal(("longer than",), PlanRefused,
            "the installment is too small: the plan would run past the longest term"),
    Refusal(("at least",), PlanRefused, "the installment is below the portal's minimum"),
    Refusal(("enter a monthly installment",), InvalidAmount, "the portal refused the installment"),
    Refusal(("payment method",), UnknownPaymentMethod,
            "the portal could not use the payment method for autopay"),
    Refusal(("plan note",), InvalidInput, "the portal refused the plan note (at most 120 "
            "characters)"),
    Refusal(("already has a payment plan",), PlanRefused,
            "the statement already has a payment plan"),
    Refusal(("not eligible",), PlanRefused,
            "the statement's amount due is below the portal's minimum for a plan"),
    Refusal(("has ended",), PlanRefused, "the plan has ended and can no longer be changed"),
    Refusal(("no scheduled installments are left",), PlanRefused,
            "every installment left was attempted: there is no amount left to change"),
    Refusal(("can't be changed",), PlanRefused,
            "the plan cannot be changed that way (it has ended or is delinquent)"),
)  # fmt: skip
_ENDED = (PlanStatus.CANCELLED, PlanStatus.PAID_OFF)


class PaymentPlans:
    def __init__(self, page: Page, base_url: str) -> None:
        self._page = page
        self._base_url = base_url

    async def rules(self, statement_id: str) -> PlanRules:
        offer = await self._open_offer(statement_id)
        terms = await offer.terms_fields()
        if not terms:
            raise PortalChanged("plans: the statement's plan terms are missing")
        return plan_parsing.plan_rules(statement_id, terms)

    async def find(self, reference: str) -> PaymentPlan | None:
        listing = PlansPage(self._page, self._base_url)
        await listing.open()
        raise_if_signed_out(self._page, "plans")
        if not await listing.is_shown():
            raise PortalChanged("plans: the payment plans page is not as expected")
        rows = await listing.rows()
        if not rows and not await listing.has_no_plans():
            raise PortalChanged("plans: neither plans nor 'no payment plans' are shown")
        matches = [row for row in rows if parsing.note(row["Plan note"]) == reference.strip()]
        row = only_match(matches, reference)
        return None if row is None else await self.get(row["Plan"])

    async def enroll(self, enrollment: PlanEnrollment) -> PaymentPlan:
        offer = await self._open_offer(enrollment.statement_id)
        if not await offer.offers_enrollment():
            raise refusal(
                await offer.status_text(), _FORM_REFUSALS,
                "plans: the statement offers neither a plan form nor a reason",
            )  # fmt: skip
        if not await offer.form_is_complete():
            raise PortalChanged("plans: the enrollment form is not as expected")
        installment = parsing.form_amount(enrollment.installment_amount.amount_cents)
        if not await offer.fill_in(
            installment, enrollment.payment_method_token, enrollment.reference
        ):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        async with answer_may_be_lost(enrollment.reference, field="plan note"):
            await offer.enroll()
        raise_if_signed_out(self._page, "plan_submit")
        if path_of(self._page).startswith(PlanPage.PATH_PREFIX):
            return await self._read(PlanPage(self._page, self._base_url), self._landed_id())
        raise self._form_refusal(await offer.error_messages())

    async def get(self, plan_id: str) -> PaymentPlan:
        return await self._read(await self._open_plan(plan_id), plan_id)

    async def change(self, plan_id: str, change: PlanChange) -> PaymentPlan:
        if change.installment_amount is None and change.payment_method_token is None:
            raise InvalidInput("a plan change names neither an installment nor a method")
        form = PlanChangePage(self._page, self._base_url)
        response = await form.open(plan_id)
        raise_if_signed_out(self._page, "plans")
        if await form.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in this HealthPay24 login")
        if not await form.is_shown():
            alert = await PlanPage(self._page, self._base_url).alert_text()
            raise self._form_refusal([alert] if alert else [])
        if change.installment_amount is not None:
            await form.enter_installment(
                parsing.form_amount(change.installment_amount.amount_cents)
            )
        token = change.payment_method_token
        if token is not None and not await form.choose_method(token):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        await form.save()
        raise_if_signed_out(self._page, "plans")
        if path_of(self._page) == PlanPage.PATH.format(plan_id):
            return await self._read(PlanPage(self._page, self._base_url), plan_id)
        raise self._form_refusal(await form.error_messages())

    async def pause(self, plan_id: str) -> PaymentPlan:
        detail = await self._open_plan(plan_id)
        if not await detail.can_pause():
            return await self._already(detail, plan_id, PlanStatus.PAUSED, "paused")
        await detail.pause()
        return await self._after_action(plan_id, PlanStatus.PAUSED)

    async def resume(self, plan_id: str) -> PaymentPlan:
        detail = await self._open_plan(plan_id)
        if not await detail.can_resume():
            return await self._already(detail, plan_id, PlanStatus.ACTIVE, "resumed")
        await detail.resume()
        return await self._after_action(plan_id, PlanStatus.ACTIVE)

    async def cancel(self, plan_id: str) -> PaymentPlan:
        detail = await self._open_plan(plan_id)
        if not await detail.can_cancel():
            return await self._already(detail, plan_id, PlanStatus.CANCELLED, "cancelled")
        await detail.cancel()
        return await self._after_action(plan_id, PlanStatus.CANCELLED)

    async def _already(
        self, detail: PlanPage, plan_id: str, wanted: PlanStatus, verb: str
    ) -> PaymentPlan:
        """No button for the action: fine if the plan is already there, else refused."""
        plan = await self._read(detail, plan_id)
        if plan.status is wanted:
            return plan
        raise PlanRefused(f"plan {plan_id} is {plan.status.value}: it cannot be {verb}")

    async def _after_action(self, plan_id: str, wanted: PlanStatus) -> PaymentPlan:
        raise_if_signed_out(self._page, "plans")
        if path_of(self._page) != PlanPage.PATH.format(plan_id):
            raise PortalChanged("plans: the action did not lead back to the plan")
        plan = await self._read(PlanPage(self._page, self._base_url), plan_id)
        if plan.status is not wanted and plan.status not in _ENDED:
            raise PortalChanged(f"plans: the plan is {plan.status.value} after the action")
        return plan

    async def _open_offer(self, statement_id: str) -> PlanOfferPage:
        offer = PlanOfferPage(self._page, self._base_url)
        response = await offer.open(statement_id)
        raise_if_signed_out(self._page, "plans")
        if await offer.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this HealthPay24 login")
        if await offer.heading_text() != f"Payment plan for statement {statement_id}":
            raise PortalChanged("plans: the plan page heading does not name the statement")
        return offer

    async def _open_plan(self, plan_id: str) -> PlanPage:
        detail = PlanPage(self._page, self._base_url)
        response = await detail.open(plan_id)
        raise_if_signed_out(self._page, "plans")
        if await detail.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in this HealthPay24 login")
        return detail

    async def _read(self, detail: PlanPage, plan_id: str) -> PaymentPlan:
        if await detail.heading_text() != f"Payment plan {plan_id}":
            raise PortalChanged("plans: the plan page heading does not name the plan")
        fields = await detail.summary_fields()
        if not fields:
            raise PortalChanged("plans: the plan summary is missing")
        return plan_parsing.payment_plan(plan_id, fields, await detail.installment_rows())

    def _landed_id(self) -> str:
        landed = path_of(self._page).removeprefix(PlanPage.PATH_PREFIX)
        if not landed or "/" in landed:
            raise PortalChanged("plan_submit: enrolling did not lead to a plan page")
        return landed

    @staticmethod
    def _form_refusal(errors: list[str]) -> Exception:
        return refusal(errors, _FORM_REFUSALS, "plans: the portal refused the plan for an "
                       "unknown reason")  # fmt: skip
