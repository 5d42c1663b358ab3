"""Progress models describe themselves, so the console needs to know no process's steps."""

from __future__ import annotations

import pytest

from models.payments import PaymentProgress, PaymentStep
from starters.cli.console import show_progress


@pytest.mark.parametrize("step", list(PaymentStep))
def test_every_payment_step_has_a_label(step: PaymentStep) -> None:
    # A step added without its text would fail the CLI mid-payment with a KeyError.
    assert step.label.strip()


def test_the_console_prints_what_the_progress_describes(capsys: pytest.CaptureFixture[str]) -> None:
    show_progress(PaymentProgress(step=PaymentStep.POSTING_PAYMENT, detail="$25.00"))
    show_progress(PaymentProgress(step=PaymentStep.CHECKING_STATEMENT))
    assert capsys.readouterr().out.splitlines() == [
        "  → posting the payment (reconciling by reference first) ($25.00)",
        "  → checking the statement",
    ]
