"""What the Temporal UI and the progress query say about a plan: one line, no patient data."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.plans import InstallmentStatus, PaymentPlan
    from workflows.plan_drafts import due_installment


def describe_plan(plan: PaymentPlan) -> str:
    drafted = sum(1 for i in plan.installments if i.status is InstallmentStatus.DRAFTED)
    where = (
        f"plan {plan.plan_id}: {drafted} of {len(plan.installments)} installments drafted, "
        f"{plan.remaining_balance} remaining"
    )
    installment = due_installment(plan)
    if installment is None:
        return where
    due = f"installment {installment.number} of {installment.amount}"
    if installment.attempts:
        due += f" failed {installment.attempts}×"
    draft = plan.next_draft_date.isoformat() if plan.next_draft_date else "no date"
    return f"{where}; next: {due}, draft on {draft}"
