"""Every timeout and retry policy of the workflows, named once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.errors import NON_RETRYABLE_ERROR_TYPES, SessionExpired

# Browser steps: a dead worker stops heartbeating and its attempt moves on within seconds.
BROWSER_HEARTBEAT_TIMEOUT = timedelta(seconds=10)
BROWSER_START_TO_CLOSE = timedelta(minutes=2)

# Bounded, backing-off retries: a down portal is retried for about ten minutes, never in a
# storm, and the non-retryable types (bad input, bad credentials, declined…) fail at once.
BROWSER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=15,
    non_retryable_error_types=NON_RETRYABLE_ERROR_TYPES,
)

BROWSER_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": BROWSER_START_TO_CLOSE,
    "heartbeat_timeout": BROWSER_HEARTBEAT_TIMEOUT,
    "retry_policy": BROWSER_RETRY,
}

# Steps on a restored session: an expired session is not retried with the same dead state;
# the workflow asks the session workflow for a fresh one instead.
SESSION_BOUND_ACTIVITY: dict[str, Any] = {
    **BROWSER_ACTIVITY,
    "retry_policy": replace(
        BROWSER_RETRY,
        non_retryable_error_types=[*NON_RETRYABLE_ERROR_TYPES, SessionExpired.__name__],
    ),
}
SESSION_RENEWALS = 3

# A portal in maintenance is waited out on a timer (workflows/maintenance.py): as long as
# it asked, plus a little for the skew between our clock and the portal's, never less than
# the floor (a Retry-After of 0 must not spin) and never longer than the ceiling at a time
# (a window that is still on then is simply waited out again).
MAINTENANCE_GRACE = timedelta(seconds=2)
MAINTENANCE_SHORTEST_WAIT = timedelta(seconds=1)
MAINTENANCE_LONGEST_WAIT = timedelta(hours=6)

# Deleting files: quick, local, retried like any other step.
FILE_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": BROWSER_RETRY,
}

# Appending to the audit trail: local and quick. Never given up on: a money-moving workflow
# does not finish without its entry; while the log is unwritable the pending activity shows
# why in the UI (and the entry id keeps retries from writing twice).
AUDIT_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=60),
    ),
}

# IN_PROCESS: the same two policies serve the local activities a payment's end runs in its
# workflow task's worker (audit entry, read-model record, event: one workflow task instead of
# three activity round trips). A local activity still failing after a minute retries on a
# timer in a later workflow task; the UI shows it in the history's failed local-activity
# markers rather than as a pending activity.

# Writing the read model (a posted payment for GET /payments, what a sync read): a quick
# database write, retried like a browser step; for a payment, a database still down after
# that is logged, never a failed payment (the portal holds it; the next sync records it).
READ_MODEL_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": BROWSER_RETRY,
}

# Asking for a session is one quick Update: a lease at once, or a promise of a signal.
OBTAIN_SESSION_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": BROWSER_RETRY,
}
# A requester still waiting for that signal after this long asks again (idempotently).
SESSION_REPLY_RECHECK = timedelta(minutes=15)

# Fetching settlement files over SFTP: a network call with no browser, retried like one.
SFTP_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(minutes=2),
    "heartbeat_timeout": BROWSER_HEARTBEAT_TIMEOUT,
    "retry_policy": BROWSER_RETRY,
}
# A deposit not yet applied at its expected billing date is read again once a day.
DEPOSIT_RECHECK = timedelta(days=1)
# A refund holds its payment's refund lock for minutes at most; a holder silent this long
# was terminated without releasing, and the lock passes on (see workflows/refund_lock.py).
REFUND_LOCK_HOLD_LIMIT = timedelta(hours=1)
# Asking for the refund lock is one quick Update: held now, or queued (a signal follows);
# a requester still queued after this long asks again (idempotently).
ACQUIRE_REFUND_LOCK_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": BROWSER_RETRY,
}
REFUND_LOCK_RECHECK = timedelta(minutes=15)
# Following a payment plan: the first look at the portal an hour into a draft's due date
# (UTC, the portals' day); a portal that drafts later that day is looked at again every few
# hours, a bounded number of times, and after that once a day until it shows the draft.
DRAFT_CHECK_DELAY = timedelta(hours=1)
DRAFT_RECHECK_INTERVAL = timedelta(hours=4)
DRAFT_RECHECKS = 5
OVERDUE_DRAFT_RECHECK = timedelta(days=1)
# Webhook deliveries: one HTTP POST per attempt, backing off exponentially between the
# input's intervals until the delivery window (three days) closes; only a disabled endpoint
# stops it sooner. Abandoning one afterwards is a quick write to the read model.
WEBHOOK_ATTEMPT_START_TO_CLOSE = timedelta(seconds=60)
WEBHOOK_BACKOFF = 2.0
WEBHOOK_BOOKKEEPING_ACTIVITY: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": AUDIT_ACTIVITY["retry_policy"],
}


def webhook_attempts(initial: timedelta, maximum: timedelta, window: timedelta) -> dict[str, Any]:
    return {
        "start_to_close_timeout": WEBHOOK_ATTEMPT_START_TO_CLOSE,
        "schedule_to_close_timeout": window,
        "retry_policy": RetryPolicy(
            initial_interval=initial,
            backoff_coefficient=WEBHOOK_BACKOFF,
            maximum_interval=maximum,
            maximum_attempts=0,
            non_retryable_error_types=NON_RETRYABLE_ERROR_TYPES,
        ),
    }


# A payment held after its portal changed waits this long for an operator's retry or
# cancel, then fails as the PortalChanged it was: long enough for a weekend and an adapter fix.
OPERATOR_HOLD_TIMEOUT = timedelta(days=7)
