"""Detection of each vendor's maintenance page, on the sandbox's own template, and what the
workflows decode from an opted-in activity's result (old payloads stay the old type)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from fastapi.templating import Jinja2Templates
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.payments import PaymentActivities
from activities.sessions import SessionActivities
from models.connection_session import CodeOutcome, LoginStep
from models.errors import PortalChanged
from models.maintenance import PortalMaintenance
from portals.maintenance import MaintenanceNotice, page_text, read_maintenance
from workflows.maintenance import maintenance_wait

ENDS = datetime(2026, 12, 3, 2, 10, tzinfo=UTC)
NOW = ENDS - timedelta(seconds=90)
VENDORS = ["cedar", "patientco", "healthpay24"]


def _vendor(vendor: str) -> tuple[MaintenanceNotice, Jinja2Templates]:
    notice: MaintenanceNotice = import_module(
        f"portals.{vendor}.maintenance_notice"
    ).MAINTENANCE_NOTICE
    build: Callable[[], Jinja2Templates] = import_module(f"sandbox.{vendor}.state").build_templates
    return notice, build()


def _page(templates: Jinja2Templates, name: str, **context: object) -> str:
    return page_text(templates.env.get_template(name).render(**context))


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_vendors_page_states_the_end(vendor: str) -> None:
    notice, templates = _vendor(vendor)
    text = _page(templates, "maintenance.html", ends_at=ENDS)
    assert read_maintenance(notice, text, "90", NOW) == PortalMaintenance(
        until=ENDS, retry_after_seconds=90
    )
    # Without Retry-After the stated end gives the wait.
    found = read_maintenance(notice, text, None, NOW)
    assert found is not None and found.retry_after_seconds == 90


@pytest.mark.parametrize("vendor", VENDORS)
def test_another_503_is_not_maintenance(vendor: str) -> None:
    notice, templates = _vendor(vendor)
    assert read_maintenance(notice, _page(templates, "error.html"), "30", NOW) is None
    others = [v for v in VENDORS if v != vendor]
    for other in others:  # a vendor's words are its own
        _, their = _vendor(other)
        assert (
            read_maintenance(notice, _page(their, "maintenance.html", ends_at=ENDS), "9", NOW)
            is None
        )


def test_retry_after_alone_or_as_a_date() -> None:
    notice, _ = _vendor("cedar")
    words = "Cedar Pay is down for scheduled maintenance."
    assert read_maintenance(notice, words, "60", NOW) == PortalMaintenance(
        until=NOW + timedelta(seconds=60), retry_after_seconds=60
    )
    dated = read_maintenance(notice, words, "Thu, 03 Dec 2026 02:10:00 GMT", NOW)
    assert dated is not None and dated.retry_after_seconds == 90
    with pytest.raises(PortalChanged):
        read_maintenance(notice, words, None, NOW)


def test_the_wait_follows_retry_after_within_bounds() -> None:
    assert maintenance_wait(PortalMaintenance(until=ENDS, retry_after_seconds=90)) == timedelta(
        seconds=92
    )
    assert maintenance_wait(PortalMaintenance(until=ENDS, retry_after_seconds=0)) >= timedelta(
        seconds=1
    )
    assert maintenance_wait(
        PortalMaintenance(until=ENDS, retry_after_seconds=10 * 24 * 3600)
    ) == timedelta(hours=6)


OPTED_IN = [
    (PaymentActivities.pay_statement, None),
    (PaymentActivities.check_statement, None),
    (PaymentActivities.post_payment, None),
    (PaymentActivities.download_receipt, None),
    (SessionActivities.begin_login, LoginStep(state_id="s-1")),
    (SessionActivities.begin_login, LoginStep()),
    (SessionActivities.submit_mfa_code, CodeOutcome(accepted=False)),
    (SessionActivities.resend_mfa_code, None),
]


@pytest.mark.parametrize("method, old_result", OPTED_IN)
def test_results_decode_by_the_widened_annotation(
    method: Callable[..., object], old_result: object
) -> None:
    """What the replayed histories rely on: an old result still decodes as its old type,
    and a window decodes as PortalMaintenance, even where every old field is optional."""
    returned = typing.get_type_hints(method)["return"]
    assert PortalMaintenance in typing.get_args(returned)
    window = PortalMaintenance(until=ENDS, retry_after_seconds=90)
    [encoded] = pydantic_data_converter.payload_converter.to_payloads([window])
    [decoded] = pydantic_data_converter.payload_converter.from_payloads([encoded], [returned])
    assert decoded == window
    if old_result is not None:
        [old] = pydantic_data_converter.payload_converter.to_payloads([old_result])
        [again] = pydantic_data_converter.payload_converter.from_payloads([old], [returned])
        assert type(again) is type(old_result) and again == old_result


def test_an_activity_that_opts_in_must_say_so_in_its_annotation() -> None:
    from activities.maintenance import reports_maintenance

    async def forgot(lookup: str) -> LoginStep:
        raise AssertionError

    with pytest.raises(TypeError, match="PortalMaintenance"):
        reports_maintenance(forgot)  # type: ignore[arg-type]
