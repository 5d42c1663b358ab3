"""``/statements``: what the syncs read, with line items, and the statement's PDF."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from models.errors import ArtifactNotFound
from models.pages import Page
from models.read_api import BilledQuery, StatementPublic
from starters.api.dependencies import ReadKey, Services
from starters.api.problems import ApiProblem, Problem
from starters.api.read_answers import ONE_PROBLEMS, READ_PROBLEMS, found, refresh_list, refresh_one

router = APIRouter(prefix="/statements", tags=["statements"])
_PDF = {
    **ONE_PROBLEMS,
    200: {"content": {"application/pdf": {}}, "description": "the statement's PDF"},
    404: {"model": Problem, "description": "no such statement here (not_found), or no PDF "
          "kept for it (statement_pdf_not_available)"},
}  # fmt: skip


@router.get("", response_model=Page[StatementPublic], responses=READ_PROBLEMS)
async def list_statements(
    caller: ReadKey, services: Services, query: Annotated[BilledQuery, Query()], response: Response
) -> Page[StatementPublic]:
    await refresh_list(services, caller, query, response)
    page = await asyncio.to_thread(
        services.reads.list_statements, caller.tenant_id, query.narrowing(), query.page()
    )
    return Page[StatementPublic](
        data=[StatementPublic.of(s) for s in page.data], has_more=page.has_more
    )


@router.get("/{statement_id}", response_model=StatementPublic, responses=ONE_PROBLEMS)
async def get_statement(
    statement_id: str, caller: ReadKey, services: Services, response: Response,
    refresh: Annotated[bool, Query(description="sync its connection first (bounded)")] = False,
) -> StatementPublic:  # fmt: skip
    def read() -> StatementPublic:
        return StatementPublic.of(services.reads.get_statement(caller.tenant_id, statement_id))

    shown = await found("statement", statement_id, read)
    if await refresh_one(services, refresh, shown.connection_id, response):
        shown = await found("statement", statement_id, read)
    return shown


@router.get("/{statement_id}/pdf", response_class=Response, responses=_PDF)
async def get_statement_pdf(statement_id: str, caller: ReadKey, services: Services) -> Response:
    key = await found(
        "statement", statement_id,
        lambda: services.reads.statement_pdf_key(caller.tenant_id, statement_id),
    )  # fmt: skip
    if key is None:
        raise ApiProblem(
            404, "statement_pdf_not_available",
            f"statement {statement_id} has no PDF: its portal offers none, or no sync has "
            "kept it yet (see pdf_available)",
        )  # fmt: skip
    try:
        content = await asyncio.to_thread(services.artifacts.get, key)
    except (ArtifactNotFound, FileNotFoundError):
        raise ApiProblem(
            404, "statement_pdf_not_available",
            f"statement {statement_id}'s PDF is no longer in the artifact store; the next "
            "sync keeps it again",
        ) from None  # fmt: skip
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement_id}.pdf"'},
    )
