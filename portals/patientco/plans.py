"""Patientco's payment plans behind the PlanManager capability (``portals.base``).

A mixin of ``PatientcoAdapter``: staff enroll a plan from a statement's "New payment plan"
screen (its plan terms are the PlanRules), find it in the plan worklist by its "Reference"
(our client reference, matched exactly), and read its draft schedule with the next draft
date. Enrollment submits inside ``answer_may_be_lost``: a lost answer is
ConfirmationMissing, and the caller finds the plan by reference before enrolling again.
"""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, Response

from models.errors import (
    PlanNotFound,
    PlanRefused,
    PortalChanged,
    StatementNotFound,
    UnknownPaymentMethod,
)
from models.plans import PaymentPlan, PlanChange, PlanEnrollment, PlanRules
from portals.parsing_common import form_amount
from portals.patientco import plan_parsing
from portals.patientco.pages.plan_edit_page import PlanEditPage
from portals.patientco.pages.plan_enrollment_page import PlanEnrollmentPage
from portals.patientco.pages.plan_page import PlanPage
from portals.patientco.pages.plans_page import PlansPage
from portals.plan_cancel_page import PlanCancelPage
from portals.reconciliation import answer_may_be_lost, only_match


class PatientcoPlans:
    _page: Page
    _base_url: str

    def _check_signed_in(
        self, response: Response | None, step: str, expected_path: str | None
    ) -> Response | None: ...

    async def plan_rules(self, statement_id: str) -> PlanRules:
        form = await self._open_enrollment(statement_id)
        facts = await form.term_facts()
        if not facts:
            raise PortalChanged("plan_form: the plan terms are missing")
        return plan_parsing.plan_rules(statement_id, facts)

    async def find_plan(self, reference: str) -> PaymentPlan | None:
        worklist = PlansPage(self._page, self._base_url)
        # The results at the search form's own address: one navigation, not open + Search.
        response = await worklist.open_searched(reference)
        self._check_signed_in(response, worklist.STEP, worklist.PATH)
        if not await worklist.is_shown():
            raise PortalChanged("plans: the payment plan worklist is not as expected")
        await worklist.require_search_for(reference)
        if await worklist.is_empty():
            return None
        rows = await worklist.rows()
        if not rows:
            raise PortalChanged("plans: neither plans nor 'No payment plans match' are shown")
        matches = [row for row in rows if row["Reference"].strip() == reference]
        row = only_match(matches, reference)
        return None if row is None else await self.get_plan(row["Plan #"])

    async def enroll_plan(self, enrollment: PlanEnrollment) -> PaymentPlan:
        form = await self._open_enrollment(enrollment.statement_id)
        if not await form.is_form_shown():
            raise PortalChanged("plan_form: the plan enrollment form is not as expected")
        amount = form_amount(enrollment.installment_amount.amount_cents)
        if not await form.fill(amount, enrollment.payment_method_token, enrollment.reference):
            raise UnknownPaymentMethod("the payment method is not on file for the guarantor")
        async with answer_may_be_lost(enrollment.reference, field="plan reference"):
            response = await form.submit()
        self._check_signed_in(response, form.SUBMIT_STEP, None)
        plan = await self._plan_shown_here()
        if plan is not None:
            return plan
        errors = await form.error_messages()
        if errors:
            raise plan_parsing.plan_form_refusal(errors, form.SUBMIT_STEP)
        raise PortalChanged("plan_submit: neither the plan nor a form error was shown")

    async def get_plan(self, plan_id: str) -> PaymentPlan:
        detail = PlanPage(self._page, self._base_url)
        path = PlanPage.PATH.format(quote(plan_id, safe=""))
        response = self._check_signed_in(await detail.open(plan_id), detail.STEP, path)
        if await detail.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in the Patientco console")
        plan = await self._plan_shown_here()
        if plan is None or plan.plan_id != plan_id:
            raise PortalChanged("plan: the page heading does not name the plan")
        return plan

    async def change_plan(self, plan_id: str, change: PlanChange) -> PaymentPlan:
        form = PlanEditPage(self._page, self._base_url)
        path = PlanEditPage.PATH.format(quote(plan_id, safe=""))
        response = self._check_signed_in(await form.open(plan_id), form.STEP, path)
        if await form.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in the Patientco console")
        if not await form.is_form_shown():
            notice = await form.notice_text()
            if notice and "cannot be edited" in notice:
                raise PlanRefused("the plan has ended and cannot be changed")
            raise PortalChanged("plan_edit: the edit form is not as expected")
        if change.installment_amount is not None:
            await form.enter_installment(form_amount(change.installment_amount.amount_cents))
        if change.payment_method_token is not None and not await form.choose_method(
            change.payment_method_token
        ):
            raise UnknownPaymentMethod("the payment method is not on file for the guarantor")
        self._check_signed_in(await form.save(), form.STEP, None)
        plan = await self._plan_shown_here()
        if plan is not None:
            return plan
        errors = await form.error_messages()
        if errors:
            raise plan_parsing.plan_form_refusal(errors, form.STEP)
        raise PortalChanged("plan_edit: neither the plan nor a form error was shown")

    async def cancel_plan(self, plan_id: str) -> PaymentPlan:
        """Cancelling a closed plan changes nothing: the plan is returned as it is."""
        form = PlanCancelPage(self._page, self._base_url)
        path = PlanCancelPage.PATH.format(quote(plan_id, safe=""))
        response = self._check_signed_in(await form.open(plan_id), form.STEP, path)
        if await form.is_missing(response):
            raise PlanNotFound(f"payment plan {plan_id} is not in the Patientco console")
        if await form.can_cancel():
            self._check_signed_in(await form.cancel(), form.STEP, None)
            plan = await self._plan_shown_here()
            if plan is None:
                raise PortalChanged("plan_cancel: the plan was not shown after cancelling")
            return plan
        if await form.notice_text() is None:
            raise PortalChanged("plan_cancel: neither a cancel button nor a notice was shown")
        return await self.get_plan(plan_id)

    async def _open_enrollment(self, statement_id: str) -> PlanEnrollmentPage:
        form = PlanEnrollmentPage(self._page, self._base_url)
        path = PlanEnrollmentPage.PATH.format(quote(statement_id, safe=""))
        response = self._check_signed_in(await form.open(statement_id), form.STEP, path)
        if await form.is_missing(response):
            raise StatementNotFound(f"statement {statement_id} is not in the Patientco console")
        if await form.heading_text() != f"New payment plan · Statement {statement_id}":
            raise PortalChanged("plan_form: the page heading does not name the statement")
        return form

    async def _plan_shown_here(self) -> PaymentPlan | None:
        """The plan on the current page, None when the page is not a plan's."""
        detail = PlanPage(self._page, self._base_url)
        heading = await detail.heading_text() or ""
        if not heading.startswith("Payment plan "):
            return None
        facts = await detail.detail_facts()
        rows = await detail.draft_rows()
        if not facts or not rows:
            raise PortalChanged("plan: the plan details or its draft schedule are missing")
        return plan_parsing.payment_plan(heading.removeprefix("Payment plan "), facts, rows)
