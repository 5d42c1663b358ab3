"""The OpenAPI document says what the API sends: errors as ``application/problem+json``.

FastAPI files every declared response schema under the route's own media type
(``application/json``); error responses are problem details, so their schemas move to
the problem media type, and the document is built once and kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from starters.api.problems import PROBLEM_JSON

_JSON = "application/json"


def problem_media_types(document: dict[str, Any]) -> dict[str, Any]:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if str(status)[0] in "45" and _JSON in content:
                    content[PROBLEM_JSON] = content.pop(_JSON)
    return document


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
