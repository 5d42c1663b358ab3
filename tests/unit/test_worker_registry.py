"""The worker finds each activity object's @activity.defn methods itself."""

from __future__ import annotations

import pytest
from temporalio import activity

from activities.audit import AuditActivities
from activities.payments import PaymentActivities
from activities.session_broker import SessionBroker
from activities.sessions import SessionActivities
from workers.registry import activities_of


def _unwired(cls: type) -> object:
    # The walk reads the class only: no stores or clients are needed to inspect it.
    return cls.__new__(cls)


def test_every_activity_the_workflows_schedule_is_found() -> None:
    classes = (PaymentActivities, SessionActivities, SessionBroker, AuditActivities)
    found = activities_of(*(_unwired(c) for c in classes))
    # The names recorded histories carry: the same set the hand-kept list had.
    assert sorted(m.__name__ for m in found) == sorted(
        [
            "pay_statement",
            "check_statement",
            "post_payment",
            "download_receipt",
            "begin_login",
            "submit_mfa_code",
            "resend_mfa_code",
            "discard_states",
            "obtain_session",
            "record",
        ]
    )


def test_found_methods_are_bound_to_the_object() -> None:
    audit = _unwired(AuditActivities)
    [record] = activities_of(audit)
    assert getattr(record, "__self__", None) is audit


def test_inherited_activities_are_found_once() -> None:
    class Base:
        @activity.defn
        async def ping(self) -> None: ...

    class Derived(Base):
        @activity.defn(name="ping")
        async def ping(self) -> None: ...

        def helper(self) -> None: ...

    assert [m.__name__ for m in activities_of(Derived())] == ["ping"]


def test_an_object_without_activities_is_refused() -> None:
    with pytest.raises(TypeError, match=r"no @activity\.defn methods"):
        activities_of(object())
