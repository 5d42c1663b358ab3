"""Cedar's payment plans behind the PlanManager capability (``portals.base``).

A mixin of ``CedarAdapter``: it drives the plan pages and reads them through
``plan_parsing``. The plan's "Reference" carries our client reference; enrollment submits
inside ``answer_may_be_lost``, so a lost answer is ConfirmationMissing and the caller finds
the plan by its reference before enrolling again.
"""

from __future__ import annotations

from playwright.async_api import Page, Response

from models.errors import (
    PlanNotFound,
    PlanRefused,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules
from portals.cedar import plan_parsing
from portals.cedar.pages.plan_change_page import PlanChangePage
from portals.cedar.pages.plan_enrollment_page import PlanEnrollmentPage
from portals.cedar.pages.plan_offer_page import PlanOfferPage
from portals.cedar.pages.plan_page import PlanPage
from portals.cedar.pages.plans_page import PlansPage
from portals.cedar.sign_in import raise_if_signed_out
from portals.parsing_common import form_amount
from portals.plan_cancel_page import PlanCancelPage
from portals.reconciliation import answer_may_be_lost, only_match


class CedarPlans:
    _page: Page
    _base_url: str

    async def plan_rules(self, statement_id: str) -> PlanRules:
        offer = PlanOfferPage(self._page, self._base_url)
        response = self._signed_in(await offer.open(statement_id), offer.STEP)
        if await offer.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in this Cedar account")
        if await offer.heading_text() != f"Payment plan for statement {statement_id}":
            raise PortalChanged("plan_offer: the page heading does not name the statement")
        fields = await offer.term_fields()
        if not fields:
            raise PortalChanged("plan_offer: the plan terms are missing")
        return plan_parsing.plan_rules(statement_id, fields)

    async def find_plan(self, reference: str) -> PaymentPlan | None:
        listing = PlansPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        self._signed_in(await listing.open_searched(reference), listing.STEP)
        if not await listing.is_shown():
            raise PortalChanged("plans: the payment plans page is not as expected")
        await listing.require_search_for(reference)
        if await listing.is_empty():
            return None
        rows = await listing.rows()
        if not rows:
            raise PortalChanged("plans: neither plans nor 'No payment plans found' are shown")
        matches = [row for row in rows if row["Reference"].strip() == reference]
        row = only_match(matches, reference)
        return None if row is None else await self.get_plan(row["Plan"])

    async def enroll_plan(self, enrollment: PlanEnrollment) -> PaymentPlan:
        form = PlanEnrollmentPage(self._page, self._base_url)
        response = self._signed_in(await form.open(enrollment.statement_id), form.STEP)
        if await form.is_missing(response):
            raise StatementNotFound(
                f"statement {enrollment.statement_id} is not in this Cedar account"
            )
        if not await form.is_shown():
            raise PortalChanged("plan_form: the plan enrollment form is not as expected")
        amount = form_amount(enrollment.installment_amount.amount_cents)
        if not await form.fill(amount, enrollment.payment_method_token, enrollment.reference):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        async with answer_may_be_lost(enrollment.reference, field="plan reference"):
            response = await form.submit()
        self._signed_in(response, form.SUBMIT_STEP)
        plan = await self._plan_shown_here()
        if plan is not None:
            return plan
        errors = await form.error_messages()
        if errors:
            raise plan_parsing.plan_form_refusal(errors, form.SUBMIT_STEP)
        raise PortalChanged("plan_submit: neither the plan nor a form error was shown")

    async def get_plan(self, plan_id: str) -> PaymentPlan:
        detail = PlanPage(self._page, self._base_url)
        response = self._signed_in(await detail.open(plan_id), detail.STEP)
        if await detail.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in this Cedar account")
        plan = await self._plan_shown_here()
        if plan is None or plan.plan_id != plan_id:
            raise PortalChanged("plan: the page heading does not name the plan")
        return plan

    async def change_plan(self, plan_id: str, change: PlanChange) -> PaymentPlan:
        form = PlanChangePage(self._page, self._base_url)
        response = self._signed_in(await form.open(plan_id), form.STEP)
        if await form.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in this Cedar account")
        if not await form.is_form_shown():
            notice = await form.notice_text()
            if notice and "has ended" in notice:
                raise PlanRefused("the plan has ended and cannot be changed")
            raise PortalChanged("plan_change: the change form is not as expected")
        if change.installment_amount is not None:
            await form.enter_installment(form_amount(change.installment_amount.amount_cents))
        if change.payment_method_token is not None and not await form.choose_payment_method(
            change.payment_method_token
        ):
            raise UnknownPaymentMethod("the payment method is not on file at the portal")
        self._signed_in(await form.save(), form.STEP)
        plan = await self._plan_shown_here()
        if plan is not None:
            return plan
        errors = await form.error_messages()
        if errors:
            raise plan_parsing.plan_form_refusal(errors, form.STEP)
        raise PortalChanged("plan_change: neither the plan nor a form error was shown")

    async def cancel_plan(self, plan_id: str) -> PaymentPlan:
        """Cancelling an ended plan changes nothing: the plan is returned as it is."""
        form = PlanCancelPage(self._page, self._base_url)
        response = self._signed_in(await form.open(plan_id), form.STEP)
        if await form.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in this Cedar account")
        if await form.can_cancel():
            self._signed_in(await form.cancel(), form.STEP)
            plan = await self._plan_shown_here()
            if plan is None:
                raise PortalChanged("plan_cancel: the plan was not shown after cancelling")
            return plan
        if await form.notice_text() is None:
            raise PortalChanged("plan_cancel: neither a cancel button nor a notice was shown")
        return await self.get_plan(plan_id)

    async def _plan_shown_here(self) -> PaymentPlan | None:
        """The plan on the current page, None when the page is not a plan's."""
        detail = PlanPage(self._page, self._base_url)
        heading = await detail.heading_text() or ""
        if not heading.startswith("Payment plan "):
            return None
        fields = await detail.summary_fields()
        rows = await detail.installment_rows()
        if not fields or not rows:
            raise PortalChanged("plan: the plan summary or its installments are missing")
        return plan_parsing.payment_plan(heading.removeprefix("Payment plan "), fields, rows)

    def _signed_in(self, response: Response | None, step: str) -> Response | None:
        raise_if_signed_out(self._page, step)
        return response
