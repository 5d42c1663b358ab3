"""A session's state as the aggregator-style connection status a caller acts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.api_connections import ConnectionStatus, status_of
from models.connection_session import PendingChallenge, SessionStatus, SessionView


@pytest.mark.parametrize(
    ("session", "expected"),
    [
        (SessionStatus.ACTIVE, ConnectionStatus.ACTIVE),
        (SessionStatus.LOGIN_REQUIRED, ConnectionStatus.LOGIN_REQUIRED),
        (SessionStatus.SIGNING_IN, ConnectionStatus.SIGNING_IN),
        (SessionStatus.SIGNED_OUT, ConnectionStatus.SIGNED_OUT),
    ],
)
def test_session_states_map_one_to_one(session: SessionStatus, expected: ConnectionStatus) -> None:
    assert status_of(SessionView(connection_id="c", status=session)) == (expected, None)


def test_awaiting_mfa_is_mfa_required_with_its_challenge() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    challenge = PendingChallenge(
        method="sms",
        masked_destination="***-***-0112",
        attempts_left=3,
        raised_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    view = SessionView(connection_id="c", status=SessionStatus.AWAITING_MFA, challenge=challenge)
    status, shown = status_of(view)
    assert status is ConnectionStatus.MFA_REQUIRED
    assert shown is not None and shown.masked_destination == "***-***-0112"
    assert shown.expires_at == challenge.expires_at


def test_no_session_yet_is_signed_out() -> None:
    assert status_of(None) == (ConnectionStatus.SIGNED_OUT, None)


def test_every_session_status_has_a_connection_status() -> None:
    for session in SessionStatus:
        status_of(SessionView(connection_id="c", status=session))


def test_a_login_failed_on_a_changed_portal_is_portal_changed() -> None:
    view = SessionView(
        connection_id="c",
        status=SessionStatus.SIGNED_OUT,
        last_error="the sign-in page has no password field",
        last_error_type="PortalChanged",
    )
    assert status_of(view) == (ConnectionStatus.PORTAL_CHANGED, None)


def test_a_login_failed_otherwise_stays_signed_out() -> None:
    view = SessionView(
        connection_id="c", status=SessionStatus.SIGNED_OUT, last_error_type="MfaTimedOut"
    )
    assert status_of(view) == (ConnectionStatus.SIGNED_OUT, None)


def test_a_new_login_after_a_changed_portal_is_signing_in() -> None:
    view = SessionView(
        connection_id="c", status=SessionStatus.SIGNING_IN, last_error_type="PortalChanged"
    )
    assert status_of(view) == (ConnectionStatus.SIGNING_IN, None)
