"""What the state object of every sandbox app shares: rendering one of its Jinja pages."""

from __future__ import annotations

from typing import Any, ClassVar

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from sandbox.common.layout import Layout


class RendersPages:
    """Base of a sandbox's state dataclass, which sets ``templates`` (with its own filters)
    and, for a portal with a second layout, ``layout`` (``sandbox.common.layout``)."""

    templates: Jinja2Templates
    layout: Layout | None = None
    _template_names: ClassVar[dict[int, frozenset[str]]] = {}

    def render(
        self,
        request: Request,
        name: str,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> Response:
        if self.layout is not None:
            name = self.layout.template_name(name, self._available_templates())
            context.setdefault("layout", self.layout.settings.layout.value)
            fault = self.layout.settings.structural_fault
            context.setdefault("fault", fault.value if fault is not None else None)
        return self.templates.TemplateResponse(
            request, name, context, status_code=status_code, headers=headers
        )

    def _available_templates(self) -> frozenset[str]:
        # Listing walks the folder; the files do not change while a sandbox runs.
        key = id(self.templates)
        if key not in self._template_names:
            self._template_names[key] = frozenset(self.templates.env.list_templates())
        return self._template_names[key]
