"""The OpenAPI document says what the API sends: errors as ``application/problem+json``.

FastAPI files every declared response schema under the route's own media type
(``application/json``); error responses are problem details, so their schemas move to
the problem media type. The refusals the app makes for every route, whatever the route
declares, are declared here once for all (found by the fuzzing test, which holds every
answer to the document): a request the app cannot read (``422``; card numbers are refused
on every endpoint, headers included), a body that is not even text (``400``), a route with a
key and without a live one (``401``). FastAPI's own validation-error schema, which no
response carries, becomes the problem schema. The document is built once and kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from starters.api.problems import PROBLEM_JSON, Problem

_JSON = "application/json"
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schemas = [media.get("schema", {}) for media in response.get("content", {}).values()]
    return any(schema.get("$ref") == _FASTAPI_VALIDATION_REF for schema in schemas)


def problem_media_types(document: dict[str, Any]) -> dict[str, Any]:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if str(status)[0] in "45" and _JSON in content:
                    content[PROBLEM_JSON] = content.pop(_JSON)
            if "422" not in responses or _is_fastapi_validation(responses["422"]):
                responses["422"] = _problem("invalid request, or a card number in it")
            if "requestBody" in operation:
                responses.setdefault("400", _problem("a body that cannot be read as JSON text"))
            if operation.get("security"):
                responses.setdefault("401", _problem("no live API key"))
    _declare_problem_schemas(document)
    return document


def _declare_problem_schemas(document: dict[str, Any]) -> None:
    """The problem schema in the components, also when no route named it itself."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas.setdefault("Problem", problem)
    if "HTTPValidationError" in schemas and _FASTAPI_VALIDATION_REF not in str(document["paths"]):
        schemas.pop("HTTPValidationError")
        schemas.pop("ValidationError", None)  # FastAPI's, named only by HTTPValidationError


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_media_types(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
