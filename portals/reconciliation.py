"""What every adapter does to keep a payment exactly-once: a submit whose answer is lost is
ConfirmationMissing (the caller must look the reference up first), and a lookup that finds
our reference more than once stops for a person instead of choosing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from models.errors import AmbiguousPayment, ConfirmationMissing, PortalTimeout, PortalUnavailable

_Found = TypeVar("_Found")


@asynccontextmanager
async def answer_may_be_lost(reference: str, *, field: str = "reference") -> AsyncIterator[None]:
    """Around the submit that moves money; ``field`` is the portal's name for our reference."""
    try:
        yield
    except (PortalUnavailable, PortalTimeout) as error:
        # The submit may have moved money before the answer was lost: reconcile first.
        raise ConfirmationMissing(
            f"pay_submit: no confirmation arrived ({error.message}); "
            f"look up {field} {reference} before submitting again"
        ) from None


def only_match(matches: list[_Found], reference: str) -> _Found | None:
    """The one history entry carrying exactly our reference, None for none, AmbiguousPayment
    for more."""
    if len(matches) > 1:
        raise AmbiguousPayment(
            f"{len(matches)} payments carry reference {reference}: review them before retrying"
        )
    return matches[0] if matches else None
