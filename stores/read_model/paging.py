"""Cursor pages over any table with an immutable ``seq`` (Stripe's ``starting_after``).

Pages are ordered by ``seq``, assigned at insert and never changed, so an object inserted
while a caller pages lands after everything it has already seen: no page repeats or skips
an object that existed when the caller started. The cursor is the last object's public id,
so callers hold nothing but ids they already know.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from models.errors import InvalidInput
from models.pages import PageRequest

RowT = TypeVar("RowT")


def page_rows(
    session: Session, query: Select[tuple[RowT]], row_type: Any, request: PageRequest
) -> tuple[list[RowT], bool]:
    """(rows of this page, has_more). ``query`` selects ``row_type`` already narrowed to
    what the caller may see; an unknown or foreign cursor is InvalidInput."""
    if request.starting_after is not None:
        after = session.scalar(
            query.with_only_columns(row_type.seq).where(row_type.id == request.starting_after)
        )
        if after is None:
            raise InvalidInput("starting_after names no object of this list")
        query = query.where(row_type.seq > after)
    rows = list(session.scalars(query.order_by(row_type.seq).limit(request.limit + 1)))
    return rows[: request.limit], len(rows) > request.limit
