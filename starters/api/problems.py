"""One error shape everywhere: RFC 9457 problem details, with a typed ``code``.

Every failure a caller can see (a refused request, a BillBridge error from the client or a
workflow, an unknown route, a crash) leaves as ``application/problem+json`` carrying the
request id. Messages go through the redactor; a crash says only that it happened: its
traceback goes to the (redacted) log under the same request id, never to the caller.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from models.errors import BillBridgeError
from security.redaction import redactor
from starters.api.error_codes import status_and_code
from starters.api.request_ids import current_request_id
from starters.api.services import WorkerUnavailable
from stores.read_model.idempotency_keys import IdempotencyKeyInUse
from workers.temporal_unreachable import TemporalUnreachable

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("billbridge.api")

_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
}


class FieldProblem(BaseModel):
    location: str = Field(description="where in the request, e.g. query.limit or body.name")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, extended with ``code``, ``request_id`` and ``errors``."""

    type: str = Field(description="a URI naming the kind of problem: urn:billbridge:problem:CODE")
    title: str
    status: int
    detail: str
    code: str = Field(description="the typed error code to branch on")
    request_id: str
    errors: list[FieldProblem] | None = None


class ApiProblem(Exception):
    """A refusal decided by the API itself (auth, scopes, not found)."""

    def __init__(
        self, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=f"urn:billbridge:problem:{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=redactor.redact(detail),
        code=code,
        request_id=current_request_id(),
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def internal_error_response() -> JSONResponse:
    return problem_response(
        500,
        "internal_error",
        "BillBridge failed to answer this request; it is logged under this request id",
    )


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    # Pydantic's errors carry the offending input; only the location and message leave.
    errors = [
        FieldProblem(location=_location(tuple(item["loc"])), message=redactor.redact(item["msg"]))
        for item in err.errors()
    ]
    where = ", ".join(problem.location for problem in errors[:5])
    return problem_response(
        422, "invalid_request", f"the request is invalid at {where}", errors=errors
    )


async def _http(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, HTTPException)
    code = _HTTP_CODES.get(
        err.status_code, "invalid_request" if err.status_code < 500 else "internal_error"
    )
    detail = err.detail if isinstance(err.detail, str) else HTTPStatus(err.status_code).phrase
    if err.status_code == 404:
        detail = f"no such endpoint: {request.method} {request.url.path}"
    headers = dict(err.headers) if err.headers else None
    return problem_response(err.status_code, code, detail, headers=headers)


async def _api_problem(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, ApiProblem)
    return problem_response(err.status, err.code, err.detail, headers=err.headers)


async def _billbridge(request: Request, err: Exception) -> JSONResponse:
    status, code = status_and_code(err)
    message = err.message if isinstance(err, BillBridgeError) else str(err)
    if status >= 500:
        _log.warning("request failed with %s: %s", code, message)
    return problem_response(status, code, message)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(ApiProblem, _api_problem)
    app.add_exception_handler(BillBridgeError, _billbridge)
    app.add_exception_handler(TemporalUnreachable, _billbridge)
    app.add_exception_handler(WorkerUnavailable, _billbridge)
    app.add_exception_handler(IdempotencyKeyInUse, _billbridge)
