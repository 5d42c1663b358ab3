"""What the identity provider's routes share: the sandbox's database and faults, the issuer."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from sandbox.common.faults import Faults
from sandbox.common.layout import Layout
from sandbox.common.pages import RendersPages
from sandbox.patientco.idp.oidc import IdentityProvider
from sandbox.patientco.settings import SandboxSettings

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass
class IdpState(RendersPages):
    settings: SandboxSettings
    db: sqlite3.Connection
    faults: Faults
    provider: IdentityProvider
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=TEMPLATES_DIR)
    )
    # The console's: one switch redesigns both, as one vendor's release would.
    layout: Layout | None = None

    def message(
        self, request: Request, heading: str, status_code: int, detail: str = ""
    ) -> Response:
        return self.render(request, "message.html", status_code, heading=heading, detail=detail,
                           console_url=self.settings.portal_url)  # fmt: skip

    def expired(self, request: Request) -> Response:
        """No pending sign-in (timed out, finished, or never started) behind this browser."""
        return self.message(
            request, "Your sign-in has timed out", 200,
            detail="For your security, sign-in requests expire. Go back to the billing console "
                   "and sign in again.",
        )  # fmt: skip


def get_idp(request: Request) -> IdpState:
    state: IdpState = request.app.state.idp
    return state


IdpDep = Annotated[IdpState, Depends(get_idp)]
