"""One page of a list, in the cursor style integrators know (``data``, ``has_more``)."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

ItemT = TypeVar("ItemT")

DEFAULT_PAGE_LIMIT = 10
MAX_PAGE_LIMIT = 100


class PageRequest(BaseModel):
    limit: int = Field(default=DEFAULT_PAGE_LIMIT, ge=1, le=MAX_PAGE_LIMIT)
    # The id of the last object of the previous page; the next page starts after it.
    starting_after: str | None = Field(default=None, min_length=1, max_length=200)


class Page(BaseModel, Generic[ItemT]):
    object: Literal["list"] = "list"
    data: list[ItemT]
    has_more: bool
