"""What the state object of every sandbox app shares: rendering one of its Jinja pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response


class RendersPages:
    """Base of a sandbox's state dataclass, which sets ``templates`` (with its own filters)."""

    templates: Jinja2Templates

    def render(
        self,
        request: Request,
        name: str,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        return self.templates.TemplateResponse(
            request, name, context, status_code=status_code, headers=headers
        )
