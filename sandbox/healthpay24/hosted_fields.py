"""Opening the processor's hosted fields for one checkout (the portal's server side).

The portal never sees a card or bank number: it asks the processor for a checkout session
that only the portal's own origin may frame, offering the patient's saved tokens, and embeds
the iframe the processor answers with. The iframe hands the page back a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx


class ProcessorUnavailable(Exception):
    """The processor did not open a checkout session: the step answers the 500 page."""


@dataclass(frozen=True)
class HostedFields:
    session_id: str
    url: str

    @property
    def origin(self) -> str:
        """The origin the iframe's messages come from; the page ignores every other one."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


class HostedFieldsClient:
    """One per portal process, owned by its lifespan."""

    def __init__(self, base_url: str, merchant: str, *, timeout: float = 10.0) -> None:
        self._merchant = merchant
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)

    async def open(self, parent_origin: str, saved_tokens: list[str]) -> HostedFields:
        try:
            response = await self._http.post(
                "/v1/checkout-sessions",
                json={"merchant": self._merchant, "parent_origin": parent_origin,
                      "saved_tokens": saved_tokens},
            )  # fmt: skip
            response.raise_for_status()
            body = response.json()
            return HostedFields(session_id=body["session_id"], url=body["url"])
        except (httpx.HTTPError, KeyError, ValueError) as error:
            raise ProcessorUnavailable(f"no checkout session: {error!r}") from error

    async def aclose(self) -> None:
        await self._http.aclose()
